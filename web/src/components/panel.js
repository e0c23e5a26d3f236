// A dashboard panel: title bar, body, and a data-state of
// loading → ready | empty | error.

import { h, replace } from '../dom.js';

export function createPanel({ testid, title, subtitle, className = '', tools }) {
  const body = h('div', { class: 'panel-body' });
  const status = h('div', { class: 'panel-status', 'aria-live': 'polite' });
  const sub = h('span', { class: 'panel-sub muted small' }, subtitle || '');
  const el = h('section', { class: `panel ${className}`, 'data-testid': testid, 'data-state': 'loading' },
    h('header', { class: 'panel-head' }, h('h2', { class: 'panel-title' }, title), sub, h('span', { class: 'panel-tools' }, tools || null)),
    status,
    body,
  );

  return {
    el,
    body,
    setSubtitle(text) {
      sub.textContent = text || '';
    },
    /** state: loading | ready | empty | error; message shown for empty and error. */
    setState(state, message) {
      el.dataset.state = state;
      if (state === 'loading') {
        el.classList.add('is-loading');
        replace(status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', { class: 'muted small' }, 'Loading…'));
        return;
      }
      el.classList.remove('is-loading');
      if (state === 'empty') {
        replace(body);
        replace(status, h('div', { class: 'panel-empty muted' }, message || 'No flows in this time range and filter.'));
      } else if (state === 'error') {
        // The full message is in the notice under the filter bar (and here
        // on hover): the same error in every panel would be noise.
        replace(body);
        replace(status, h('div', { class: 'panel-error', title: message || '' }, 'Query failed: see the error above.'));
      } else {
        replace(status);
      }
    },
  };
}
