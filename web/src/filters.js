// The filter bar, the same on every view: time range (presets relative to
// the newest stored flow, or custom UTC bounds), where, CloudWatch pattern.

import { h } from './dom.js';
import { PRESETS, DEFAULT_RANGE, rangeMode, describeRange, toInputValue, fromInputValue } from './timerange.js';

export const WHERE_PLACEHOLDER = 'dstport=22|3389,action=REJECT';
export const PATTERN_PLACEHOLDER = '[..., action=REJECT, status]';

/**
 * createFilterBar({onApply(filters), onReset()}) → {el, set(params, storeLast)}.
 * filters: {range} or {from, to}, plus where and pattern (empty ones omitted).
 */
export function createFilterBar({ onApply, onReset }) {
  let storeLast = null;

  const rangeSel = h('select', { class: 'input', 'data-testid': 'filter-range', 'aria-label': 'Time range', title: 'Presets are relative to the newest stored flow, not to now' },
    PRESETS.map((p) => h('option', { value: p.id }, p.seconds ? `${p.label} of data` : p.label)),
    h('option', { value: 'custom' }, 'Custom (UTC)…'),
  );
  const timeAttrs = { class: 'input input-time', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'YYYY-MM-DD HH:MM:SS', pattern: '\\s*\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?\\s*(Z|UTC)?\\s*' };
  const fromIn = h('input', { ...timeAttrs, 'data-testid': 'filter-from', 'aria-label': 'From (UTC)', title: 'From (UTC, inclusive): YYYY-MM-DD HH:MM:SS' });
  const toIn = h('input', { ...timeAttrs, 'data-testid': 'filter-to', 'aria-label': 'To (UTC)', title: 'To (UTC, exclusive): YYYY-MM-DD HH:MM:SS; empty: up to the newest flow' });
  const custom = h('span', { class: 'filter-custom', hidden: true }, fromIn, h('span', { class: 'muted' }, '→'), toIn, h('span', { class: 'muted small' }, 'UTC'));
  const whereIn = h('input', { class: 'input input-where', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: WHERE_PLACEHOLDER, 'data-testid': 'filter-where', 'aria-label': 'Where', title: 'Field conditions: FIELD OP VALUE, "," separated; OP = != < <= > >=; CIDRs; a|b lists' });
  const patternIn = h('input', { class: 'input input-pattern', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: PATTERN_PLACEHOLDER, 'data-testid': 'filter-pattern', 'aria-label': 'CloudWatch filter pattern', title: 'CloudWatch Logs filter pattern' });
  const applyBtn = h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'filter-apply' }, 'Apply');
  const resetBtn = h('button', { class: 'btn', type: 'button', 'data-testid': 'filter-reset', onclick: () => onReset() }, 'Reset');
  const desc = h('span', { class: 'filter-desc muted small', 'data-testid': 'filter-desc' });

  const form = h('form', { class: 'filterbar', 'data-testid': 'filter-bar', autocomplete: 'off', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    if (validTimes()) onApply(read());
  } },
    h('label', { class: 'filter-field' }, h('span', { class: 'filter-label' }, 'Time'), rangeSel),
    custom,
    h('label', { class: 'filter-field filter-grow' }, h('span', { class: 'filter-label' }, 'Where'), whereIn),
    h('label', { class: 'filter-field filter-grow' }, h('span', { class: 'filter-label' }, 'Pattern'), patternIn),
    applyBtn, resetBtn, desc,
  );

  function showCustom() {
    custom.hidden = rangeSel.value !== 'custom';
  }

  rangeSel.addEventListener('change', () => {
    showCustom();
    if (rangeSel.value === 'custom') {
      if (!fromIn.value && storeLast) {
        // Start from the last hour of data, a sensible custom window.
        const last = new Date(storeLast);
        fromIn.value = toInputValue(new Date(last.getTime() - 3600e3));
      }
      fromIn.focus();
    } else {
      onApply(read());
    }
  });

  // Custom bounds must parse; the browser shows the message at the input.
  function validTimes() {
    if (rangeSel.value !== 'custom') return true;
    for (const inp of [fromIn, toIn]) {
      const bad = inp.value.trim() !== '' && !fromInputValue(inp.value);
      inp.setCustomValidity(bad ? 'A UTC time: YYYY-MM-DD HH:MM:SS' : '');
      if (bad) {
        inp.reportValidity();
        return false;
      }
    }
    return true;
  }
  for (const inp of [fromIn, toIn]) inp.addEventListener('input', () => inp.setCustomValidity(''));

  function read() {
    const f = {};
    if (rangeSel.value === 'custom') {
      const from = fromInputValue(fromIn.value);
      const to = fromInputValue(toIn.value);
      if (from) f.from = from;
      if (to) f.to = to;
    } else if (rangeSel.value !== DEFAULT_RANGE) {
      f.range = rangeSel.value;
    }
    const w = whereIn.value.trim();
    const p = patternIn.value.trim();
    if (w) f.where = w;
    if (p) f.pattern = p;
    return f;
  }

  return {
    el: form,
    set(params, last) {
      storeLast = last || storeLast;
      const mode = rangeMode(params);
      rangeSel.value = mode;
      fromIn.value = toInputValue(params.from);
      toIn.value = toInputValue(params.to);
      whereIn.value = params.where || '';
      patternIn.value = params.pattern || '';
      desc.textContent = mode === 'all' ? '' : describeRange(params, storeLast);
      showCustom();
    },
    read,
  };
}
