// Builds d3-sankey input from top pair rows. Node keys are prefixed
// ("s:" sources, "d:" destinations) so the graph is bipartite: an address
// that is both a source and a destination would otherwise make a cycle,
// which d3-sankey cannot lay out.

/**
 * buildSankeyData(rows, metric) → {nodes: [{id, name, side}], links: [{source, target, value, row}]}
 * rows: top_pair rows {srcaddr, dstaddr, bytes, packets, flows}.
 */
export function buildSankeyData(rows, metric = 'bytes') {
  const nodes = [];
  const index = new Map();
  const links = [];
  const node = (side, name) => {
    const id = `${side}:${name}`;
    if (!index.has(id)) {
      index.set(id, nodes.length);
      nodes.push({ id, name, side: side === 's' ? 'src' : 'dst' });
    }
    return index.get(id);
  };
  for (const r of rows) {
    if (r.srcaddr == null || r.dstaddr == null) continue;
    const value = Number(r[metric]) || 0;
    if (value <= 0) continue;
    links.push({ source: node('s', r.srcaddr), target: node('d', r.dstaddr), value, row: r });
  }
  return { nodes, links };
}
