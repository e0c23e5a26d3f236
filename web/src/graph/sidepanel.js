// The side panel of a selected node or edge: totals, ports, peers and (in
// the app) its raw flows.

import { h, replace } from '../dom.js';
import { fmtBytes, fmtInt, fmtPercent, portLabel } from '../format.js';
import { aggregatePorts, findEdge, nodeWhere, edgeWhere, sumCounts, weightOf } from './elements.js';

const KIND_NAMES = { internal: 'internal', external: 'external', service: 'service', group: 'group', other: 'merged nodes' };

function countsTable(rows) {
  return h('table', { class: 'compact side-counts' },
    h('thead', null, h('tr', null, h('th', null, ''), h('th', { class: 'num' }, 'Flows'), h('th', { class: 'num' }, 'Packets'), h('th', { class: 'num' }, 'Bytes'))),
    h('tbody', null, rows.map(([label, c, cls]) => h('tr', { class: cls || '' },
      h('th', { scope: 'row' }, label),
      h('td', { class: 'num' }, fmtInt(c && c.flows)),
      h('td', { class: 'num' }, fmtInt(c && c.packets)),
      h('td', { class: 'num', title: c ? `${fmtInt(c.bytes)} bytes` : '' }, fmtBytes(c && c.bytes)),
    ))),
  );
}

function portsTable(ports, more, { limit = 12, title = 'Ports' } = {}) {
  if (!ports.length) return h('p', { class: 'muted small' }, `${title}: none recorded (e.g. ICMP, or no port data).`);
  const total = ports.reduce((s, p) => s + p.flows, 0) || 1;
  const shown = ports.slice(0, limit);
  const extra = ports.length - shown.length + (more || 0);
  return h('div', { class: 'side-ports' },
    h('h4', null, title),
    h('table', { class: 'compact', 'data-testid': 'side-ports' },
      h('thead', null, h('tr', null, h('th', null, 'Port'), h('th', { class: 'num' }, 'Flows'), h('th', { class: 'num' }, '%'), h('th', { class: 'num' }, 'Bytes'))),
      h('tbody', null, shown.map((p) => h('tr', null,
        h('td', { class: 'mono' }, portLabel(p)),
        h('td', { class: 'num' }, fmtInt(p.flows)),
        h('td', { class: 'num muted' }, fmtPercent((100 * p.flows) / total)),
        h('td', { class: 'num' }, fmtBytes(p.bytes)),
      ))),
    ),
    extra > 0 ? h('p', { class: 'muted small' }, `+ ${fmtInt(extra)} more ports`) : null,
  );
}

function peersList(title, edges, model, side, onSelect, weight) {
  if (!edges.length) return null;
  const sorted = [...edges].sort((a, b) => weightOf(b, weight) - weightOf(a, weight)).slice(0, 8);
  return h('div', { class: 'side-peers' },
    h('h4', null, `${title} (${fmtInt(edges.length)})`),
    h('ul', { class: 'peer-list' }, sorted.map((e) => {
      const peerId = side === 'out' ? e.dst : e.src;
      const peer = model.nodes.get(String(peerId));
      return h('li', null,
        h('button', { type: 'button', class: 'link', title: 'Select this edge', onclick: () => onSelect({ type: 'edge', src: String(e.src), dst: String(e.dst) }) }, (peer && peer.label) || peerId),
        h('span', { class: 'num muted small' }, ` ${fmtBytes(e.bytes)}`),
        e.rejected && e.rejected.flows ? h('span', { class: 'badge badge-rej', title: `${fmtInt(e.rejected.flows)} rejected flows` }, 'REJ') : null,
      );
    })),
  );
}

/**
 * renderSidePanel(el, {sel, model, tab, flows, onSelect, onClose, onTab, viewer})
 * flows: null (standalone) or {render(container, where) → void, href(where) → string}.
 */
export function renderSidePanel(el, opts) {
  const { sel, model, flows, onSelect, onClose, viewer } = opts;
  const weight = (model && model.weight) || 'bytes';
  const close = h('button', { type: 'button', class: 'btn btn-icon side-close', title: 'Close (Esc)', 'aria-label': 'Close', onclick: onClose }, '×');
  if (!sel || !model) {
    el.hidden = true;
    replace(el);
    return;
  }
  el.hidden = false;

  if (sel.type === 'node') {
    const n = model.nodes.get(String(sel.id));
    if (!n) return renderMissing(el, close, `Node ${sel.id} is not in this graph.`);
    const outE = model.out.get(String(n.id)) || [];
    const inE = model.in.get(String(n.id)) || [];
    const pinBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'side-pin', 'aria-pressed': String(viewer.isPinned(String(n.id))) },
      viewer.isPinned(String(n.id)) ? 'Unpin' : 'Pin');
    pinBtn.addEventListener('click', () => {
      const on = !viewer.isPinned(String(n.id));
      viewer.setPinned(String(n.id), on);
      pinBtn.textContent = on ? 'Unpin' : 'Pin';
      pinBtn.setAttribute('aria-pressed', String(on));
    });
    const inbound = aggregatePorts(inE);
    const outbound = aggregatePorts(outE);
    const group = n.group != null ? (model.groups.get(String(n.group)) || { label: n.group }) : null;
    const tabs = [
      { id: 'sent', label: 'Sent', where: nodeWhere(n, 'src') },
      { id: 'received', label: 'Received', where: nodeWhere(n, 'dst') },
    ];
    replace(el,
      h('header', { class: 'side-head' },
        h('div', { class: 'side-title' },
          h('span', { class: `kind-dot k-${n.kind} ${n.external ? 'ext' : 'int'}` }),
          h('h3', { 'data-testid': 'side-title' }, n.label || n.id), close),
        h('div', { class: 'side-meta muted small' },
          h('span', { class: 'badge' }, KIND_NAMES[n.kind] || n.kind),
          n.kind === 'internal' || n.kind === 'external' ? null : h('span', { class: 'badge' }, n.external ? 'external' : 'internal'),
          n.alias_kind ? h('span', { class: 'badge badge-alias' }, `alias: ${n.alias_kind}`) : null,
          n.label && n.label !== n.id ? h('span', { class: 'mono' }, n.id) : null,
          group ? h('span', null, `in ${group.label || n.group}`) : null,
          n.members ? h('span', null, `${fmtInt(n.members)} merged nodes`) : null,
        ),
        h('div', { class: 'side-actions' }, pinBtn, h('span', { class: 'muted small' }, 'Drag a node to pin it; double-click a pinned node to unpin.')),
      ),
      countsTable([['Out (sent)', n.out], ['In (received)', n.in], ['Total', n.totals, 'row-total']]),
      h('div', { class: 'side-cols' },
        peersList('Sends to', outE, model, 'out', onSelect, weight),
        peersList('Receives from', inE, model, 'in', onSelect, weight),
      ),
      portsTable(inbound.ports, inbound.more, { title: 'Ports it receives on' }),
      portsTable(outbound.ports, outbound.more, { title: 'Ports it sends to' }),
      flowsSection(opts, tabs),
    );
    return;
  }

  const e = findEdge(model, sel.src, sel.dst);
  if (!e) return renderMissing(el, close, `Edge ${sel.src} → ${sel.dst} is not in this graph.`);
  const s = model.nodes.get(String(e.src));
  const d = model.nodes.get(String(e.dst));
  const unknown = { flows: Math.max(0, e.flows - (e.accepted.flows + e.rejected.flows)), packets: Math.max(0, e.packets - (e.accepted.packets + e.rejected.packets)), bytes: Math.max(0, e.bytes - (e.accepted.bytes + e.rejected.bytes)) };
  const rows = [['Accepted', e.accepted, 'row-acc'], ['Rejected', e.rejected, e.rejected.flows ? 'row-rej' : '']];
  if (unknown.flows) rows.push(['Unknown action', unknown]);
  rows.push(['Total', e, 'row-total']);
  const reverse = findEdge(model, e.dst, e.src);
  const ports = aggregatePorts([e]);
  replace(el,
    h('header', { class: 'side-head' },
      h('div', { class: 'side-title' },
        h('h3', { 'data-testid': 'side-title' },
          h('button', { type: 'button', class: 'link', onclick: () => onSelect({ type: 'node', id: String(e.src) }) }, (s && s.label) || e.src),
          h('span', { class: 'muted' }, ' → '),
          h('button', { type: 'button', class: 'link', onclick: () => onSelect({ type: 'node', id: String(e.dst) }) }, (d && d.label) || e.dst)),
        close),
      h('div', { class: 'side-meta muted small' },
        h('span', { class: 'badge' }, 'edge'),
        e.rejected.flows && e.accepted.flows ? h('span', { class: 'badge badge-rej' }, 'accepted + rejected') : e.rejected.flows ? h('span', { class: 'badge badge-rej' }, 'rejected') : null,
        reverse ? h('button', { type: 'button', class: 'link small', onclick: () => onSelect({ type: 'edge', src: String(e.dst), dst: String(e.src) }) }, 'reverse direction →') : null,
      ),
    ),
    countsTable(rows),
    portsTable(ports.ports, e.more_ports, { title: 'Ports' }),
    flowsSection(opts, [{ id: 'edge', label: 'Flows', where: edgeWhere(model, e) }]),
  );
}

function renderMissing(el, close, text) {
  replace(el, h('header', { class: 'side-head' }, h('div', { class: 'side-title' }, h('h3', null, 'Not found'), close)), h('p', { class: 'muted' }, text));
}

function flowsSection(opts, tabs) {
  const { flows } = opts;
  const box = h('div', { class: 'side-flows-box' });
  const section = h('section', { class: 'side-flows-section' }, h('h4', null, 'Raw flows'));
  if (!flows) {
    section.appendChild(h('p', { class: 'note', 'data-testid': 'side-flows-note' }, 'Raw flows need ', h('code', null, 'flowlens serve'), ': open this graph in the web UI to drill down to the flows of a node or an edge.'));
    return section;
  }
  let active = tabs.find((t) => t.id === opts.tab) || tabs[0];
  const tabBar = tabs.length > 1 ? h('div', { class: 'tabs', role: 'tablist' }) : null;
  const show = (t) => {
    active = t;
    if (tabBar) {
      for (const b of tabBar.children) {
        const on = b.dataset.tab === t.id;
        b.classList.toggle('active', on);
        b.setAttribute('aria-selected', String(on));
      }
    }
    if (!t.where) {
      replace(box, h('p', { class: 'muted small', 'data-testid': 'side-flows-note' }, 'No filter can select the flows of this element (merged "other" nodes stand for many addresses).'));
      return;
    }
    flows.render(box, t.where);
  };
  if (tabBar) {
    for (const t of tabs) {
      tabBar.appendChild(h('button', { type: 'button', role: 'tab', class: 'tab', 'data-tab': t.id, 'data-testid': `side-tab-${t.id}`, onclick: () => {
        show(t);
        opts.onTab && opts.onTab(t.id);
      } }, t.label));
    }
    section.appendChild(tabBar);
  }
  section.appendChild(box);
  show(active);
  return section;
}
