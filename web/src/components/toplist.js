// Ranked tables with a share bar (top talkers, ports, protocols).

import { h } from '../dom.js';
import { fmtBytes, fmtInt, fmtPercent } from '../format.js';

/**
 * renderTopList({rows, label: row → node|string, sublabel: row → string, onRow(row), rowTitle(row)})
 * Columns: label | flows | bytes | share (bar).
 */
export function renderTopList({ rows, head = 'Address', label, sublabel, onRow, rowTitle, testid }) {
  const max = Math.max(...rows.map((r) => r.share || 0), 0.0001);
  const tbody = h('tbody');
  for (const r of rows) {
    const pct = Math.max(0, Math.min(100, ((r.share || 0) / max) * 100));
    const tr = h('tr', {
      class: onRow ? 'clickable' : '',
      'data-row': '',
      tabindex: onRow ? '0' : null,
      title: rowTitle ? rowTitle(r) : null,
      onclick: onRow ? () => onRow(r) : null,
      onkeydown: onRow ? (e) => { if (e.key === 'Enter') onRow(r); } : null,
    },
      h('td', { class: 'rank num muted' }, r.rank ?? ''),
      h('td', { class: 'toplabel' }, label(r), sublabel ? h('span', { class: 'muted small sub' }, sublabel(r) || '') : null),
      h('td', { class: 'num' }, fmtInt(r.flows)),
      h('td', { class: 'num', title: `${fmtInt(r.bytes)} bytes` }, fmtBytes(r.bytes)),
      h('td', { class: 'sharecell' },
        h('div', { class: 'sharebar' }, h('div', { class: 'sharebar-fill', style: { width: `${pct}%` } })),
        h('span', { class: 'num share-val' }, fmtPercent(r.share)),
      ),
    );
    tbody.appendChild(tr);
  }
  return h('table', { class: 'toplist', 'data-testid': testid || null },
    h('thead', null, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, head), h('th', { class: 'num' }, 'Flows'), h('th', { class: 'num' }, 'Bytes'), h('th', { class: 'share-head' }, '% bytes'))),
    tbody,
  );
}

/**
 * A stacked horizontal bar of parts [{label, value, color}] with shares.
 */
export function stackedBar(parts, { fmt = fmtInt, title } = {}) {
  const total = parts.reduce((s, p) => s + (p.value || 0), 0);
  const bar = h('div', { class: 'stackbar', role: 'img', 'aria-label': title || '' });
  for (const p of parts) {
    if (!p.value) continue;
    const pct = (100 * p.value) / (total || 1);
    bar.appendChild(h('div', { class: 'stackbar-part', style: { width: `${pct}%`, background: p.color }, title: `${p.label}: ${fmt(p.value)} (${fmtPercent(pct)})` }));
  }
  return bar;
}
