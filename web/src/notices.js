// Inline error and warning notices under the filter bar, grouped by source
// (a view or panel) so that each source replaces its own.

import { h, clear } from './dom.js';
import { recordError } from './hooks.js';
import { isAbort } from './api.js';

export function createNotices() {
  const el = h('div', { class: 'notices', 'data-testid': 'notices', role: 'status', 'aria-live': 'polite' });
  const errors = new Map(); // source → message
  const warnings = new Map(); // source → [message]

  function render() {
    clear(el);
    for (const [source, msg] of errors) {
      el.appendChild(
        h('div', { class: 'notice notice-error', 'data-testid': 'api-error', role: 'alert' },
          h('strong', null, source ? `${source}: ` : 'Error: '),
          h('span', { class: 'notice-msg' }, msg),
          h('button', { class: 'notice-close', type: 'button', title: 'Dismiss', 'aria-label': 'Dismiss', onclick: () => { errors.delete(source); render(); } }, '×'),
        ),
      );
    }
    const seen = new Set();
    for (const list of warnings.values()) {
      for (const w of list) {
        if (seen.has(w)) continue;
        seen.add(w);
        el.appendChild(h('div', { class: 'notice notice-warning', 'data-testid': 'api-warning' }, h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '⚠'), ' ', w));
      }
    }
    el.hidden = el.childNodes.length === 0;
  }

  return {
    el,
    /** Shows (and records) an error of source; aborts are ignored. Returns false for aborts. */
    error(source, err) {
      if (isAbort(err)) return false;
      const msg = recordError(err, source);
      errors.set(source, msg);
      render();
      return true;
    },
    warn(source, list) {
      if (list && list.length) warnings.set(source, [...list]);
      else warnings.delete(source);
      render();
    },
    /** Clears the notices of sources starting with prefix (all when empty). */
    clear(prefix = '') {
      for (const m of [errors, warnings]) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
      render();
    },
    clearSource(source) {
      errors.delete(source);
      warnings.delete(source);
      render();
    },
  };
}
