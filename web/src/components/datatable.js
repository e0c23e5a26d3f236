// A table of API rows (columns[].kind drives the formatting), used for raw
// flows in the flows view and the graph's side panel.

import { h } from '../dom.js';
import { fmtCell, isNumericColumn, fmtInt, fmtTime } from '../format.js';

const ADDRESS_COLUMNS = new Set(['srcaddr', 'dstaddr', 'pkt_srcaddr', 'pkt_dstaddr']);

/** Column header text: "start (UTC)" for times, the title or name otherwise. */
export function columnTitle(col) {
  const t = col.title || col.name;
  if (col.kind === 'time' || col.name === 'start' || col.name === 'end') return `${t} (UTC)`;
  return t;
}

/**
 * renderDataTable({columns, rows, testid, onAddress(col, value), hide})
 * → <table>, one <tr data-row> per row. Address cells are buttons when
 * onAddress is given.
 */
export function renderDataTable({ columns, rows, testid, onAddress, hide = [], first = [], className = '' }) {
  // Columns in `first` lead, in that order; the others keep the answer's order.
  const rank = (c) => (first.includes(c.name) ? first.indexOf(c.name) : first.length);
  const cols = columns.filter((c) => !hide.includes(c.name)).map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
  const thead = h('thead', null, h('tr', null, cols.map((c) => h('th', { class: isNumericColumn(c) ? 'num' : '', scope: 'col', title: c.name }, columnTitle(c)))));
  const tbody = h('tbody');
  for (const row of rows) {
    const tr = h('tr', { 'data-row': '' });
    for (const c of cols) {
      const v = row[c.name];
      let content = rawCell(v, c);
      let title = null;
      if (c.name === 'protocol' && v != null) title = `protocol ${v}`;
      if ((c.name === 'start' || c.name === 'end') && typeof v === 'number') title = `${v} (Unix seconds)`;
      if (c.name === 'bytes' && typeof v === 'number') title = `${fmtInt(v)} bytes`;
      if (onAddress && ADDRESS_COLUMNS.has(c.name) && v != null) {
        content = h('button', { type: 'button', class: 'cell-link', title: `Add ${c.name}=${v} to the where filter`, onclick: () => onAddress(c.name, v) }, String(v));
      }
      tr.appendChild(h('td', { class: isNumericColumn(c) ? 'num' : '', title }, content));
    }
    if (row.action === 'REJECT') tr.classList.add('row-reject');
    tbody.appendChild(tr);
  }
  return h('table', { class: `datatable ${className}`, 'data-testid': testid }, thead, tbody);
}

// Raw flow byte counts stay exact (engineers compare them); tables of
// aggregates use the column kind.
function rawCell(v, c) {
  if (c.name === 'bytes' && c.kind === 'int') return fmtInt(v);
  if (c.kind === 'time') return fmtTime(v, { utc: false });
  return fmtCell(v, c);
}
