// Pure conversion of flowlens graph JSON (the data of /api/v1/graph, or
// `flowlens graph -o json`) into cytoscape elements and lookup maps.
// No DOM, no cytoscape: unit-tested.

export const NODE_MIN = 14;
export const NODE_MAX = 64;
export const EDGE_MIN = 0.8;
export const EDGE_MAX = 9;
/** How many of the heaviest nodes always show their label. */
export const MAJOR_LABELS = 12;

const GROUP_PREFIX = 'grp:';

/** The cytoscape id of a container (compound node) for a group id. */
export function compoundId(groupId) {
  return GROUP_PREFIX + groupId;
}

/** Key of an edge in the model's edge map. */
export function edgeKey(src, dst) {
  return `${src}\u0000${dst}`;
}

/** The measure named weight ("bytes", "packets", "flows") of counts. */
export function weightOf(counts, weight = 'bytes') {
  if (!counts) return 0;
  const v = counts[weight];
  return typeof v === 'number' && v > 0 ? v : 0;
}

/** sqrt scale of v in [0, max] onto [NODE_MIN, NODE_MAX]. */
export function nodeSize(v, max) {
  if (!(max > 0) || !(v > 0)) return NODE_MIN;
  return NODE_MIN + (NODE_MAX - NODE_MIN) * Math.sqrt(Math.min(v, max) / max);
}

/** log scale of bytes in [min, max] onto [EDGE_MIN, EDGE_MAX]. */
export function edgeWidth(bytes, min, max) {
  if (!(bytes > 0) || !(max > 0)) return EDGE_MIN;
  const lo = Math.log10(Math.max(1, min));
  const hi = Math.log10(Math.max(1, max));
  if (hi <= lo) return (EDGE_MIN + EDGE_MAX) / 2;
  const t = (Math.log10(Math.max(1, bytes)) - lo) / (hi - lo);
  return EDGE_MIN + (EDGE_MAX - EDGE_MIN) * Math.max(0, Math.min(1, t));
}

/**
 * The action class of an edge: "rej" (only rejected flows), "mix"
 * (accepted and rejected), "acc" (only accepted), "unk" (action unknown).
 */
export function edgeClass(e) {
  const a = (e.accepted && e.accepted.flows) || 0;
  const r = (e.rejected && e.rejected.flows) || 0;
  if (r > 0 && a > 0) return 'mix';
  if (r > 0) return 'rej';
  if (a > 0) return 'acc';
  return 'unk';
}

/** Display label of a node: "other (external) · 4171" for merged nodes. */
export function nodeLabel(n) {
  const base = n.label || n.id;
  if (n.kind === 'other' && n.members) return `${base} · ${n.members}`;
  return base;
}

/** Classes of a node: kind, internal/external, alias. */
export function nodeClasses(n) {
  const c = [`k-${n.kind || 'internal'}`, n.external ? 'ext' : 'int'];
  if (n.alias_kind) c.push('alias');
  return c.join(' ');
}

/**
 * buildModel(data, {weight}) → {
 *   elements, nodes: Map, edges: Map(edgeKey → edge), edgeList, groups: Map,
 *   out: Map(id → [edge]), in: Map(id → [edge]), counts: {nodes, edges, compounds, skipped}
 * }
 * Containers come first in elements (parents before children).
 */
export function buildModel(data, { weight } = {}) {
  const w = weight || (data && data.weight) || 'bytes';
  const nodesIn = (data && Array.isArray(data.nodes) ? data.nodes : []);
  const edgesIn = (data && Array.isArray(data.edges) ? data.edges : []);
  const groupsIn = (data && Array.isArray(data.groups) ? data.groups : []);

  const nodes = new Map();
  for (const n of nodesIn) if (n && n.id != null) nodes.set(String(n.id), n);

  // Containers: only those holding a node, directly or through a child
  // container; parents that are missing are dropped (the box stays top-level).
  const groups = new Map();
  for (const g of groupsIn) if (g && g.id != null) groups.set(String(g.id), g);
  const used = new Set();
  const markUsed = (gid) => {
    const seen = new Set();
    while (gid != null && groups.has(gid) && !seen.has(gid)) {
      seen.add(gid);
      used.add(gid);
      gid = groups.get(gid).parent != null ? String(groups.get(gid).parent) : null;
    }
  };
  for (const n of nodes.values()) if (n.group != null) markUsed(String(n.group));

  const elements = [];
  // Parents before children: order containers by depth.
  const depth = (gid) => {
    let d = 0;
    const seen = new Set();
    for (let g = groups.get(gid); g && g.parent != null && groups.has(String(g.parent)) && !seen.has(g.id); g = groups.get(String(g.parent))) {
      seen.add(g.id);
      d++;
    }
    return d;
  };
  const usedSorted = [...used].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
  for (const gid of usedSorted) {
    const g = groups.get(gid);
    const parent = g.parent != null && used.has(String(g.parent)) && String(g.parent) !== gid ? compoundId(String(g.parent)) : undefined;
    elements.push({
      group: 'nodes',
      data: { id: compoundId(gid), label: g.label || gid, gkind: g.kind || 'group', container: true, parent },
      classes: `container c-${g.kind || 'group'}`,
    });
  }

  let maxW = 0;
  for (const n of nodes.values()) maxW = Math.max(maxW, weightOf(n.totals, w));
  // The heaviest nodes keep their labels further out when zooming out.
  const major = new Set([...nodes.values()].sort((a, b) => weightOf(b.totals, w) - weightOf(a.totals, w)).slice(0, MAJOR_LABELS).map((n) => String(n.id)));
  for (const n of nodes.values()) {
    const id = String(n.id);
    const v = weightOf(n.totals, w);
    const parent = n.group != null && used.has(String(n.group)) ? compoundId(String(n.group)) : undefined;
    elements.push({
      group: 'nodes',
      data: { id, label: nodeLabel(n), kind: n.kind || 'internal', w: v, size: nodeSize(v, maxW), parent },
      classes: nodeClasses(n) + (major.has(id) ? ' major' : ''),
    });
  }

  const edges = new Map();
  const edgeList = [];
  const out = new Map();
  const inn = new Map();
  let skipped = 0;
  let minB = Infinity;
  let maxB = 0;
  for (const e of edgesIn) {
    if (!e || !nodes.has(String(e.src)) || !nodes.has(String(e.dst))) {
      skipped++;
      continue;
    }
    const b = e.bytes || 0;
    if (b > 0) minB = Math.min(minB, b);
    maxB = Math.max(maxB, b);
  }
  if (!Number.isFinite(minB)) minB = 1;
  edgesIn.forEach((e, i) => {
    if (!e || !nodes.has(String(e.src)) || !nodes.has(String(e.dst))) return;
    const src = String(e.src);
    const dst = String(e.dst);
    const key = edgeKey(src, dst);
    if (edges.has(key)) return; // duplicates cannot happen in flowlens output; be safe
    edges.set(key, e);
    edgeList.push(e);
    if (!out.has(src)) out.set(src, []);
    if (!inn.has(dst)) inn.set(dst, []);
    out.get(src).push(e);
    inn.get(dst).push(e);
    const cls = edgeClass(e);
    elements.push({
      group: 'edges',
      data: { id: `e${i}`, source: src, target: dst, width: edgeWidth(e.bytes || 0, minB, maxB), bytes: e.bytes || 0, cls },
      classes: cls + (src === dst ? ' loop' : ''),
    });
  });
  // Edges with a reverse edge (and loops) are drawn curved so that both
  // directions show; the others straight, which is much cheaper to draw.
  for (const el of elements) {
    if (el.group !== 'edges') continue;
    const { source, target } = el.data;
    if (source === target || edges.has(edgeKey(target, source))) el.classes += ' curved';
  }

  return {
    weight: w,
    elements,
    nodes,
    edges,
    edgeList,
    groups,
    out,
    in: inn,
    counts: { nodes: nodes.size, edges: edgeList.length, compounds: used.size, skipped },
  };
}

/** The edge of model from src to dst, or undefined. */
export function findEdge(model, src, dst) {
  return model.edges.get(edgeKey(String(src), String(dst)));
}

/**
 * Aggregates the ports of edges: [{port, protocol, service, flows, bytes}]
 * sorted by flows, then bytes, then port.
 */
export function aggregatePorts(edges) {
  const m = new Map();
  let more = 0;
  for (const e of edges) {
    more += e.more_ports || 0;
    for (const p of e.ports || []) {
      const k = `${p.protocol}/${p.port}`;
      const a = m.get(k) || { port: p.port, protocol: p.protocol, service: p.service, flows: 0, bytes: 0 };
      a.flows += p.flows || 0;
      a.bytes += p.bytes || 0;
      if (!a.service && p.service) a.service = p.service;
      m.set(k, a);
    }
  }
  const list = [...m.values()].sort((a, b) => b.flows - a.flows || b.bytes - a.bytes || a.port - b.port);
  return { ports: list, more };
}

/** Sums counts {flows, packets, bytes} of edges' accepted or rejected parts. */
export function sumCounts(edges, part) {
  const s = { flows: 0, packets: 0, bytes: 0 };
  for (const e of edges) {
    const c = part ? e[part] : e;
    if (!c) continue;
    s.flows += c.flows || 0;
    s.packets += c.packets || 0;
    s.bytes += c.bytes || 0;
  }
  return s;
}

/**
 * The where expression selecting a node's flows: side "src" (sent) or
 * "dst" (received); null when the node has no match (e.g. "other").
 */
export function nodeWhere(node, side) {
  const m = node && node.match;
  if (!m || typeof m[side] !== 'string' || m[side] === '') return null;
  return m[side];
}

/** The where expression of an edge's flows: src.match.src + "," + dst.match.dst. */
export function edgeWhere(model, e) {
  const s = nodeWhere(model.nodes.get(String(e.src)), 'src');
  const d = nodeWhere(model.nodes.get(String(e.dst)), 'dst');
  if (!s || !d) return null;
  return `${s},${d}`;
}

/**
 * Node ids matching a search: id, label or alias label substring,
 * case-insensitive. Exact id/label matches first.
 */
export function searchNodes(model, query) {
  const q = String(query || '').trim().toLowerCase();
  if (!q) return [];
  const exact = [];
  const partial = [];
  for (const [id, n] of model.nodes) {
    const idl = id.toLowerCase();
    const lab = String(n.label || '').toLowerCase();
    if (idl === q || lab === q) exact.push(id);
    else if (idl.includes(q) || lab.includes(q)) partial.push(id);
  }
  return [...exact, ...partial];
}
