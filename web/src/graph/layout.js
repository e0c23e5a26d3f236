// fcose layout settings, tuned to lay out ~500 nodes / 1500 edges well
// under 3 s on a slow 2-core machine (see README for measurements).
// Compound settings (nesting factor, compound gravity) keep subnet and VPC
// boxes apart: with fcose's defaults they overlap.

/**
 * fcose options for a graph of n nodes and m edges. fixed: [{nodeId,
 * position}] for pinned nodes (kept in place by the layout).
 */
export function fcoseOptions(n, m, { fixed = [], randomize = true } = {}) {
  // Fewer iterations for bigger graphs: the spectral start is already good,
  // and cose converges well before the cap on these graphs.
  const numIter = n > 300 ? 600 : 1000;
  // Dense graphs (many edges per node) collapse into a ball under the
  // springs: scale repulsion with the mean degree and soften the springs.
  const degree = n ? (2 * m) / n : 0;
  const repulsion = 4500 * Math.min(50, Math.max(1, degree / 4));
  const elasticity = degree > 20 ? 0.1 : 0.45;
  const dense = degree > 5;
  return {
    name: 'fcose',
    quality: 'default',
    randomize,
    animate: false,
    fit: false,
    padding: 24,
    nodeDimensionsIncludeLabels: false,
    uniformNodeDimensions: false,
    packComponents: true,
    samplingType: true,
    sampleSize: 25,
    nodeSeparation: 60,
    nodeRepulsion: () => repulsion,
    // Longer edges between big nodes, so that they do not overlap.
    idealEdgeLength: (e) => (dense ? 70 : 50) + ((e.source().data('size') || 0) + (e.target().data('size') || 0)) / 2,
    edgeElasticity: () => elasticity,
    nestingFactor: 1.5,
    gravity: 0.3,
    gravityRange: 3.8,
    gravityCompound: 3,
    gravityRangeCompound: 0.8,
    numIter,
    tile: true,
    tilingPaddingVertical: 10,
    tilingPaddingHorizontal: 10,
    // Incremental runs start from seeded positions (see seedPositions):
    // enough energy to move nodes far from their seeds.
    initialEnergyOnIncremental: 0.5,
    fixedNodeConstraint: fixed.length ? fixed : undefined,
  };
}

/**
 * Cheap initial positions for an incremental fcose run (no spectral
 * phase): the children of each container around the container's own spot
 * on a grid, top-level nodes around them. Deterministic for a seed.
 * elements: cytoscape element JSONs (containers have data.container).
 * Returns Map(id → {x, y}) for the non-container nodes.
 */
export function seedPositions(elements, seed = 1) {
  let s = seed >>> 0 || 1;
  const rand = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const parentOf = new Map();
  const containers = [];
  for (const e of elements) {
    if (e.group !== 'nodes') continue;
    if (e.data.container) containers.push(e.data.id);
    parentOf.set(e.data.id, e.data.parent);
  }
  // The top-level container holding each node (or none).
  const top = (id) => {
    let p = parentOf.get(id);
    let last = null;
    const seen = new Set();
    while (p && !seen.has(p)) {
      seen.add(p);
      last = p;
      p = parentOf.get(p);
    }
    return last;
  };
  // The innermost container of each node.
  const members = new Map();
  const loose = [];
  for (const e of elements) {
    if (e.group !== 'nodes' || e.data.container) continue;
    const p = e.data.parent;
    if (p) {
      if (!members.has(p)) members.set(p, []);
      members.get(p).push(e.data.id);
    } else loose.push(e.data.id);
  }
  const pos = new Map();
  const groups = [...members.keys()].sort((a, b) => (top(a) || a).localeCompare(top(b) || b) || a.localeCompare(b));
  const cols = Math.max(1, Math.ceil(Math.sqrt(groups.length)));
  const cell = 60 * Math.sqrt(Math.max(...groups.map((g) => members.get(g).length), 1)) + 80;
  groups.forEach((g, i) => {
    const cx = (i % cols) * cell;
    const cy = Math.floor(i / cols) * cell;
    for (const id of members.get(g)) {
      const r = (cell / 2.4) * Math.sqrt(rand());
      const a = rand() * 2 * Math.PI;
      pos.set(id, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) });
    }
  });
  const width = Math.max(cols, 1) * cell;
  const rows = Math.max(1, Math.ceil(groups.length / cols));
  const cx0 = ((cols - 1) * cell) / 2;
  const cy0 = ((rows - 1) * cell) / 2;
  const R = groups.length ? width * 0.75 + 60 : 40 * Math.sqrt(loose.length);
  for (const id of loose) {
    const r = groups.length ? R + rand() * 120 : R * Math.sqrt(rand());
    const a = rand() * 2 * Math.PI;
    pos.set(id, { x: cx0 + r * Math.cos(a), y: cy0 + r * Math.sin(a) });
  }
  return pos;
}
