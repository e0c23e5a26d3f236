// URL state: the hash holds the view and ALL of its state as a query, so
// that a URL is a shareable link and back/forward work:
//   #/graph?range=1h&where=dstport%3D22&group=subnet&sel=node%3A10.0.1.5

export const VIEWS = ['dashboard', 'graph', 'flows'];
export const DEFAULT_VIEW = 'dashboard';

/** The filter bar's keys, common to every view (in URL order). */
export const FILTER_KEYS = ['range', 'from', 'to', 'where', 'pattern'];

/** Per-view keys, in URL order (anything else is kept after them). */
export const VIEW_KEYS = {
  dashboard: ['hm'],
  graph: ['group', 'weight', 'action', 'external', 'min_flows', 'top_k', 'max_nodes', 'sel', 'tab'],
  flows: ['limit', 'order', 'offset'],
};

/** Parses a location hash ("#/graph?x=1") into {view, params}. */
export function parseHash(hash) {
  let s = (hash || '').replace(/^#/, '');
  let query = '';
  const q = s.indexOf('?');
  if (q >= 0) {
    query = s.slice(q + 1);
    s = s.slice(0, q);
  }
  const name = s.replace(/^\/+/, '').replace(/\/+$/, '');
  const view = VIEWS.includes(name) ? name : DEFAULT_VIEW;
  const params = {};
  for (const [k, v] of new URLSearchParams(query)) {
    if (v !== '') params[k] = v;
  }
  return { view, params };
}

/** Encodes a query with encodeURIComponent (spaces as %20, not "+"). */
export function encodeQuery(params, order = []) {
  const keys = Object.keys(params).filter((k) => params[k] != null && params[k] !== '');
  const rank = (k) => {
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  keys.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(params[k]))}`).join('&');
}

/** Builds a hash ("#/view?query") from a view and its params. */
export function buildHash(view, params = {}) {
  const order = [...FILTER_KEYS, ...(VIEW_KEYS[view] || [])];
  const q = encodeQuery(params, order);
  return `#/${view}` + (q ? `?${q}` : '');
}

/** The filter-bar subset of params. */
export function filtersOf(params) {
  const out = {};
  for (const k of FILTER_KEYS) if (params[k] != null && params[k] !== '') out[k] = params[k];
  return out;
}

/** Whether two param objects differ on the given keys (all keys if none). */
export function changed(a = {}, b = {}, keys) {
  const ks = keys || [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return ks.some((k) => (a[k] ?? '') !== (b[k] ?? ''));
}

/**
 * Joins where expressions with ",", dropping empty parts:
 * mergeWhere("action=REJECT", "srcaddr=10.0.0.1") → "action=REJECT,srcaddr=10.0.0.1".
 */
export function mergeWhere(...parts) {
  return parts
    .map((p) => (p == null ? '' : String(p).trim()))
    .filter((p) => p !== '')
    .join(',');
}

/** Adds a condition to a where expression unless it is already there. */
export function addCondition(where, cond) {
  const have = (where || '').split(',').map((s) => s.trim());
  if (have.includes(cond)) return where || '';
  return mergeWhere(where, cond);
}

/** Link to the flows view with the given filters and an extra condition. */
export function flowsLink(filters, extraWhere) {
  const p = { ...filtersOf(filters) };
  const w = mergeWhere(p.where, extraWhere);
  if (w) p.where = w;
  else delete p.where;
  return buildHash('flows', p);
}

/** Selection encoding for the graph view: node:ID or edge:SRC>DST. */
export function encodeSel(sel) {
  if (!sel) return '';
  if (sel.type === 'node') return `node:${sel.id}`;
  return `edge:${sel.src}>${sel.dst}`;
}

/**
 * Decodes a selection. Node IDs may hold ">" (alias names), so an edge
 * selection is resolved against hasEdge(src, dst) when given: the first
 * split that names an existing edge wins.
 */
export function decodeSel(s, hasEdge) {
  if (!s) return null;
  if (s.startsWith('node:')) return { type: 'node', id: s.slice(5) };
  if (!s.startsWith('edge:')) return null;
  const body = s.slice(5);
  const splits = [];
  for (let i = body.indexOf('>'); i >= 0; i = body.indexOf('>', i + 1)) {
    splits.push({ type: 'edge', src: body.slice(0, i), dst: body.slice(i + 1) });
  }
  if (!splits.length) return null;
  if (hasEdge) return splits.find((e) => hasEdge(e.src, e.dst)) || null;
  return splits[0];
}
