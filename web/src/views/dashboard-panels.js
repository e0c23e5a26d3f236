// Render functions of the dashboard panels: each takes the panel body and
// the answer's data and returns 'ready' or 'empty'.

import { h, replace } from '../dom.js';
import { table } from '../api.js';
import { fmtBytes, fmtCount, fmtDuration, fmtInt, fmtPercent, fmtTime, protocolName } from '../format.js';
import { renderTopList, stackedBar } from '../components/toplist.js';

export const ACTION_COLORS = { ACCEPT: '#2e9e5b', REJECT: '#d64545', none: '#a1a8b3' };

function tile(label, value, sub, attrs = {}) {
  return h('div', { class: 'tile' },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value', ...attrs }, value),
    sub != null ? h('div', { class: 'tile-sub muted' }, sub) : null,
  );
}

export function renderTotals(body, data) {
  const t = table(data, 'summary');
  const r = t && t.rows[0];
  if (!r || !r.records) return 'empty';
  replace(body,
    h('div', { class: 'tiles' },
      tile('Flows', fmtInt(r.records), fmtCount(r.records), { 'data-testid': 'total-flows', 'data-value': String(r.records) }),
      tile('Packets', fmtCount(r.packets), fmtInt(r.packets), { 'data-testid': 'total-packets', 'data-value': String(r.packets) }),
      tile('Bytes', fmtBytes(r.bytes), `${fmtInt(r.bytes)} B`, { 'data-testid': 'total-bytes', 'data-value': String(r.bytes) }),
      tile('Sources', fmtInt(r.sources), 'distinct'),
      tile('Destinations', fmtInt(r.destinations), 'distinct'),
      tile('Interfaces', fmtInt(r.interfaces), 'distinct ENIs'),
    ),
    h('dl', { class: 'facts' },
      h('dt', null, 'First flow'), h('dd', { class: 'mono' }, fmtTime(r.first)),
      h('dt', null, 'Last flow'), h('dd', { class: 'mono' }, fmtTime(r.last)),
      h('dt', null, 'Span'), h('dd', null, fmtDuration(r.span)),
      h('dt', null, 'Rejected'), h('dd', null, `${fmtPercent(r.rejected_flows_share)} of flows, ${fmtPercent(r.rejected_bytes_share)} of bytes`),
    ),
  );
  return 'ready';
}

export function renderActions(body, data) {
  const t = table(data, 'actions');
  const rows = (t && t.rows) || [];
  if (!rows.length || rows.every((r) => !r.flows)) return 'empty';
  const name = (r) => r.action || 'none';
  const label = (r) => (r.action ? r.action : 'no data');
  const parts = (field) => rows.map((r) => ({ label: label(r), value: r[field], color: ACTION_COLORS[name(r)] || '#888' }));
  replace(body,
    h('div', { class: 'actions-bars' },
      h('div', { class: 'bar-row' }, h('span', { class: 'bar-label' }, 'Flows'), stackedBar(parts('flows'), { fmt: fmtInt, title: 'flows by action' })),
      h('div', { class: 'bar-row' }, h('span', { class: 'bar-label' }, 'Bytes'), stackedBar(parts('bytes'), { fmt: fmtBytes, title: 'bytes by action' })),
    ),
    h('table', { class: 'compact', 'data-testid': 'actions-table' },
      h('thead', null, h('tr', null, h('th', null, 'Action'), h('th', { class: 'num' }, 'Flows'), h('th', { class: 'num' }, '%'), h('th', { class: 'num' }, 'Bytes'), h('th', { class: 'num' }, '%'))),
      h('tbody', null, rows.map((r) => h('tr', { 'data-row': '', 'data-action': name(r) },
        h('td', null, h('span', { class: 'swatch', style: { background: ACTION_COLORS[name(r)] } }), label(r), r.action ? null : h('span', { class: 'muted small' }, ' (NODATA/SKIPDATA)')),
        h('td', { class: 'num' }, fmtInt(r.flows)),
        h('td', { class: 'num muted' }, fmtPercent(r.flows_share)),
        h('td', { class: 'num', title: `${fmtInt(r.bytes)} bytes` }, fmtBytes(r.bytes)),
        h('td', { class: 'num muted' }, fmtPercent(r.bytes_share)),
      ))),
    ),
  );
  return 'ready';
}

/** Top src/dst addresses: onRow(address). */
export function renderTopAddresses(body, data, { by, onRow }) {
  const t = data && data.tables && data.tables[0];
  const rows = (t && t.rows) || [];
  if (!rows.length) return 'empty';
  const field = by === 'src' ? 'srcaddr' : 'dstaddr';
  replace(body, renderTopList({
    rows,
    head: by === 'src' ? 'Source' : 'Destination',
    label: (r) => h('span', { class: 'mono' }, r[field]),
    onRow: (r) => onRow(`${field}=${r[field]}`),
    rowTitle: (r) => `Show the flows with ${field}=${r[field]}`,
  }));
  return 'ready';
}

/** Top ports with service names. */
export function renderTopPorts(body, data, { by, onRow }) {
  const t = data && data.tables && data.tables[0];
  const rows = (t && t.rows) || [];
  if (!rows.length) return 'empty';
  replace(body, renderTopList({
    rows,
    head: by === 'dstport' ? 'Destination port' : 'Source port',
    label: (r) => h('span', null, h('span', { class: 'mono' }, r[by] == null ? '—' : String(r[by])), h('span', { class: 'muted' }, `/${r.protocol_name || protocolName(r.protocol)}`)),
    sublabel: (r) => r.service || '',
    onRow: (r) => onRow(r.protocol != null ? `${by}=${r[by]},protocol=${r.protocol}` : `${by}=${r[by]}`),
    rowTitle: (r) => `Show the flows with ${by}=${r[by]}`,
  }));
  return 'ready';
}

export function renderProtocols(body, data, { onRow }) {
  const t = data && data.tables && data.tables[0];
  const rows = (t && t.rows) || [];
  if (!rows.length) return 'empty';
  replace(body, renderTopList({
    rows,
    head: 'Protocol',
    label: (r) => h('span', null, r.name || protocolName(r.protocol)),
    sublabel: (r) => `(${r.protocol})`,
    onRow: (r) => onRow(`protocol=${r.protocol}`),
    rowTitle: (r) => `Show the flows with protocol=${r.protocol}`,
  }));
  return 'ready';
}
