// The graph view (#/graph): server-backed controls, the shared graph
// explorer, and raw flows of the selected node or edge.

import { h, replace } from '../dom.js';
import { apiGet, isAbort, table } from '../api.js';
import { changed, decodeSel, encodeSel, FILTER_KEYS, flowsLink, mergeWhere } from '../state.js';
import { fmtInt } from '../format.js';
import { createGraphExplorer } from '../graph/explorer.js';
import { findEdge } from '../graph/elements.js';
import { renderDataTable } from '../components/datatable.js';

export const GRAPH_DEFAULTS = { group: 'ip', weight: 'bytes', action: 'both', external: 'auto', min_flows: '0', top_k: '1500' };
const GROUPS = ['ip', 'service', 'eni', 'subnet', 'vpc', 'az', 'cidr:/24', 'cidr:/16'];
const DATA_KEYS = ['group', 'weight', 'action', 'external', 'min_flows', 'top_k', 'max_nodes'];
const SIDE_HIDE = ['version', 'account_id', 'interface_id', 'end', 'log_status'];

/** The /api/v1/graph parameters of the view's URL params (UI defaults applied). */
export function graphQuery(params) {
  const q = {};
  const v = (k) => (params[k] != null && params[k] !== '' ? params[k] : GRAPH_DEFAULTS[k]);
  if (v('group') !== 'ip') q.group = v('group');
  if (v('weight') !== 'bytes') q.weight = v('weight');
  if (v('action') === 'ACCEPT' || v('action') === 'REJECT') q.action = v('action');
  if (v('external') !== 'auto') q.external = v('external');
  if (Number(v('min_flows')) > 0) q.min_flows = v('min_flows');
  if (v('top_k') != null && v('top_k') !== '' && Number(v('top_k')) > 0) q.top_k = v('top_k');
  if (params.max_nodes) q.max_nodes = params.max_nodes;
  return q;
}

function select(name, label, options, title) {
  return h('label', { class: 'ctl' }, h('span', { class: 'ctl-label' }, label),
    h('select', { class: 'input input-sm', name, 'data-testid': `graph-${name.replace('_', '-')}`, title: title || null }, options.map((o) => h('option', { value: Array.isArray(o) ? o[0] : o }, Array.isArray(o) ? o[1] : o))));
}
function number(name, label, attrs) {
  return h('label', { class: 'ctl' }, h('span', { class: 'ctl-label' }, label),
    h('input', { class: 'input input-sm input-num', type: 'number', min: '0', step: '1', name, 'data-testid': `graph-${name.replace('_', '-')}`, ...attrs }));
}

/** ctx: {notices, go(view, params, opts), apiFilters(params), status()} */
export function createGraphView(ctx) {
  let current = {};
  let controller = null;
  let flowsController = null;
  let loaded = false;

  const controls = h('form', { class: 'graph-controls', 'data-testid': 'graph-controls', onsubmit: (e) => { e.preventDefault(); applyControls(); } },
    select('group', 'Group', GROUPS, 'How addresses are grouped into nodes'),
    select('weight', 'Weight', ['bytes', 'packets', 'flows'], 'Ranks nodes and edges (top-k, max nodes, node size)'),
    select('action', 'Action', [['both', 'both'], ['ACCEPT', 'ACCEPT only'], ['REJECT', 'REJECT only']]),
    select('external', 'External', ['auto', 'keep', 'internet', 'prefix'], 'How external addresses are shown: auto, keep each, one "internet" node, or by prefix'),
    number('min_flows', 'Min flows', { title: 'Drop edges with fewer flows' }),
    number('top_k', 'Top edges', { title: 'Keep the K heaviest edges (0: all, up to the row cap). UI default 1500.' }),
    number('max_nodes', 'Max nodes', { min: '3', title: 'Merge the lightest nodes beyond this many into "other" nodes' }),
    h('button', { type: 'submit', class: 'btn btn-sm btn-primary', 'data-testid': 'graph-apply' }, 'Apply'),
  );
  for (const s of controls.querySelectorAll('select')) s.addEventListener('change', applyControls);

  function readControls() {
    const p = {};
    for (const k of DATA_KEYS) {
      const inp = controls.elements[k];
      const v = inp ? String(inp.value).trim() : '';
      if (v === '' || v === GRAPH_DEFAULTS[k]) continue;
      if (k === 'max_nodes' && ctx.status() && String(ctx.status().limits?.max_nodes) === v) continue;
      p[k] = v;
    }
    return p;
  }
  function writeControls(params) {
    const gsel = controls.elements.group;
    if (params.group && ![...gsel.options].some((o) => o.value === params.group)) gsel.appendChild(h('option', { value: params.group }, params.group));
    for (const k of DATA_KEYS) {
      const inp = controls.elements[k];
      if (!inp) continue;
      inp.value = params[k] ?? GRAPH_DEFAULTS[k] ?? '';
    }
    const lim = ctx.status() && ctx.status().limits;
    if (lim && lim.max_nodes) {
      controls.elements.max_nodes.placeholder = String(lim.max_nodes);
      controls.elements.max_nodes.max = String(lim.max_nodes);
      if (!params.max_nodes) controls.elements.max_nodes.value = String(lim.max_nodes);
    }
  }
  function applyControls() {
    const keep = {};
    for (const k of Object.keys(current)) if (!DATA_KEYS.includes(k)) keep[k] = current[k];
    ctx.go('graph', { ...keep, ...readControls() });
  }

  // Raw flows of the selection, with the filter bar's filters.
  const flows = {
    render(box, where) {
      if (flowsController) flowsController.abort();
      flowsController = new AbortController();
      const f = ctx.apiFilters(current);
      const merged = mergeWhere(current.where, where);
      const link = flowsLink(current, where);
      replace(box,
        h('div', { class: 'side-flows-head' },
          h('code', { class: 'small where-code', title: 'where' }, where),
          h('a', { href: link, class: 'small', 'data-testid': 'side-open-flows' }, 'open in flows view →')),
        h('div', { class: 'muted small' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Loading flows…'),
      );
      apiGet('flows', { ...f, where: merged, limit: 50, order: 'desc' }, { signal: flowsController.signal }).then(({ data, warnings }) => {
        const t = table(data, 'flows');
        const rows = (t && t.rows) || [];
        const head = box.firstChild;
        replace(box, head,
          h('div', { class: 'muted small' }, rows.length ? `${fmtInt(rows.length)} newest flows${data.page && data.page.has_more ? ' (more in the flows view)' : ''}` : 'No flows match (in this time range and filter).'),
          warnings && warnings.length ? h('div', { class: 'muted small' }, warnings.join('; ')) : null,
          h('div', { class: 'table-scroll' }, renderDataTable({ columns: (t && t.columns) || [], rows, testid: 'side-flows', hide: SIDE_HIDE, first: ['start', 'action'], className: 'compact' })),
        );
      }, (err) => {
        if (isAbort(err)) return;
        ctx.notices.error('Graph flows', err);
        replace(box, box.firstChild, h('div', { class: 'panel-error', role: 'alert' }, err.message));
      });
    },
  };

  const explorer = createGraphExplorer({
    controls,
    flows,
    onSelect: (sel) => {
      const p = { ...current, sel: encodeSel(sel) };
      if (!sel) delete p.tab;
      ctx.go('graph', p);
    },
    onTab: (tab) => ctx.go('graph', { ...current, tab: tab === 'sent' ? '' : tab }, { replace: true }),
  });
  const el = h('div', { class: 'graph-view', 'data-testid': 'graph-view' }, explorer.el);

  function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    const q = { ...ctx.apiFilters(current), ...graphQuery(current) };
    document.body.dataset.graph = 'loading';
    explorer.setStatus('Loading graph…');
    ctx.notices.clear('Graph');
    apiGet('graph', q, { signal: controller.signal }).then(({ data, warnings }) => {
      const notes = [];
      const seen = new Set();
      for (const n of [...(data.notes || []), ...(warnings || [])]) {
        if (seen.has(n)) continue;
        seen.add(n);
        notes.push({ text: n, kind: 'server' });
      }
      const topK = current.top_k ?? GRAPH_DEFAULTS.top_k;
      const edgeCount = Array.isArray(data.edges) ? data.edges.length : 0;
      if (String(topK) === GRAPH_DEFAULTS.top_k && edgeCount >= Number(GRAPH_DEFAULTS.top_k)) {
        notes.push({ text: `Drawing at most the ${GRAPH_DEFAULTS.top_k} heaviest edges (UI default "Top edges"): a full graph of 500 nodes can have 25,000 edges, too many to draw and read. Set Top edges to 0 for all.`, kind: 'ui' });
      }
      explorer.setNotes(notes);
      try {
        explorer.setData(data, { weight: data.weight });
      } catch (err) {
        ctx.notices.error('Graph', err);
        explorer.setStatus(`Cannot draw the graph: ${err.message}`, 'error');
        return;
      }
      loaded = true;
      explorer.setStatus(data.nodes && data.nodes.length ? null : 'No conversations in this time range and filter.');
      syncSelection(true);
    }, (err) => {
      if (isAbort(err)) return;
      ctx.notices.error('Graph', err);
      explorer.setStatus(err.message, 'error');
      explorer.setNotes([]);
      document.body.dataset.graph = 'error';
    });
  }

  function syncSelection(center) {
    if (!loaded) return;
    const model = explorer.viewer.model;
    const sel = decodeSel(current.sel, (s, d) => !!(model && findEdge(model, s, d)));
    explorer.setSelection(sel, { center, tab: current.tab || 'sent' });
  }

  return {
    el,
    update(params, prev, { statusChanged } = {}) {
      current = params;
      writeControls(params);
      if (!prev || statusChanged || changed(params, prev, [...FILTER_KEYS, ...DATA_KEYS])) {
        load();
      } else if (changed(params, prev, ['sel', 'tab'])) {
        syncSelection(false);
      }
    },
    destroy() {
      if (controller) controller.abort();
      if (flowsController) flowsController.abort();
      explorer.destroy();
    },
  };
}
