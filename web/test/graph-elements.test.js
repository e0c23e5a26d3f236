import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildModel, edgeClass, nodeSize, edgeWidth, aggregatePorts, edgeWhere, nodeWhere, searchNodes, findEdge, compoundId, NODE_MIN, NODE_MAX, EDGE_MIN, EDGE_MAX, sumCounts } from '../src/graph/elements.js';

const data = JSON.parse(readFileSync(new URL('./fixtures/graph-small.json', import.meta.url), 'utf8'));

describe('graph JSON → cytoscape elements', () => {
  const m = buildModel(data);
  const byId = Object.fromEntries(m.elements.map((e) => [e.data.id, e]));

  it('counts drawn nodes and edges, skipping edges to unknown nodes', () => {
    expect(m.counts).toEqual({ nodes: 4, edges: 4, compounds: 3, skipped: 1 });
    expect(m.elements.filter((e) => e.group === 'edges')).toHaveLength(4);
  });
  it('makes compound containers for used groups only, parents first', () => {
    const containers = m.elements.filter((e) => e.data.container);
    expect(containers.map((c) => c.data.id)).toEqual(['grp:vpc-01', 'grp:subnet-0a', 'grp:subnet-0b']);
    expect(byId['grp:subnet-0a'].data.parent).toBe('grp:vpc-01');
    expect(byId['grp:vpc-01'].data.parent).toBeUndefined();
    expect(byId['grp:subnet-0a'].classes).toContain('c-subnet');
    expect(byId['10.0.1.5'].data.parent).toBe(compoundId('subnet-0a'));
    // External nodes stay outside.
    expect(byId['other:external'].data.parent).toBeUndefined();
    const idx = (id) => m.elements.findIndex((e) => e.data.id === id);
    expect(idx('grp:vpc-01')).toBeLessThan(idx('grp:subnet-0a'));
    expect(idx('grp:subnet-0a')).toBeLessThan(idx('10.0.1.5'));
  });
  it('works without groups and match keys', () => {
    const plain = { ...data, groups: undefined, nodes: data.nodes.map(({ group, match, ...n }) => n) };
    const pm = buildModel(plain);
    expect(pm.counts.compounds).toBe(0);
    expect(pm.elements.every((e) => !e.data.parent)).toBe(true);
    expect(edgeWhere(pm, pm.edgeList[0])).toBe(null);
  });
  it('classes nodes by kind, external and alias', () => {
    expect(byId['10.0.1.5'].classes).toBe('k-internal int major');
    expect(byId['alias:S3 (us-east-1):443'].classes).toBe('k-service ext alias major');
    expect(byId['other:external'].classes).toBe('k-other ext major');
    expect(byId['other:external'].data.label).toBe('other (external) · 42');
    expect(byId['alias:S3 (us-east-1):443'].data.label).toBe('S3 (us-east-1):443');
  });
  it('sizes nodes by weight (sqrt) and edges by bytes (log)', () => {
    expect(byId['10.0.1.5'].data.size).toBeCloseTo(NODE_MAX);
    expect(byId['10.0.2.9'].data.size).toBeGreaterThan(NODE_MIN);
    expect(byId['10.0.2.9'].data.size).toBeLessThan(NODE_MAX);
    const widths = m.elements.filter((e) => e.group === 'edges').map((e) => e.data.width);
    expect(Math.max(...widths)).toBeCloseTo(EDGE_MAX);
    expect(Math.min(...widths)).toBeCloseTo(EDGE_MIN);
    const flowsModel = buildModel(data, { weight: 'flows' });
    expect(flowsModel.weight).toBe('flows');
  });
  it('scales', () => {
    expect(nodeSize(0, 100)).toBe(NODE_MIN);
    expect(nodeSize(25, 100)).toBeCloseTo(NODE_MIN + (NODE_MAX - NODE_MIN) * 0.5);
    expect(edgeWidth(10, 10, 1000)).toBe(EDGE_MIN);
    expect(edgeWidth(100, 10, 1000)).toBeCloseTo((EDGE_MIN + EDGE_MAX) / 2);
    expect(edgeWidth(5, 5, 5)).toBeCloseTo((EDGE_MIN + EDGE_MAX) / 2);
  });
  it('classes edges by action', () => {
    expect(edgeClass(data.edges[0])).toBe('acc');
    expect(edgeClass(data.edges[1])).toBe('rej');
    expect(edgeClass(data.edges[2])).toBe('mix');
    expect(edgeClass(data.edges[3])).toBe('unk');
    const cls = m.elements.filter((e) => e.group === 'edges').map((e) => e.data.cls);
    expect(cls).toEqual(['acc', 'rej', 'mix', 'unk']);
  });
  it('indexes edges by direction', () => {
    expect(findEdge(m, '10.0.1.5', '10.0.2.9').bytes).toBe(399900);
    expect(findEdge(m, '10.0.2.9', '10.0.1.5').bytes).toBe(100);
    expect(findEdge(m, 'x', 'y')).toBeUndefined();
    expect(m.out.get('10.0.1.5')).toHaveLength(2);
    expect(m.in.get('10.0.1.5')).toHaveLength(2);
  });
  it('aggregates ports of edges', () => {
    const { ports, more } = aggregatePorts(m.in.get('10.0.1.5'));
    expect(ports.map((p) => p.port)).toEqual([22, 5432]);
    expect(more).toBe(0);
    const all = aggregatePorts([...m.in.get('10.0.1.5'), ...m.out.get('10.0.1.5')]);
    expect(all.ports.find((p) => p.port === 5432)).toMatchObject({ flows: 6, bytes: 400000, service: 'postgresql' });
    expect(all.more).toBe(3);
    expect(sumCounts(m.out.get('10.0.1.5'), 'rejected')).toEqual({ flows: 1, packets: 10, bytes: 100 });
  });
  it('builds where expressions of nodes and edges', () => {
    const n = m.nodes.get('10.0.1.5');
    expect(nodeWhere(n, 'src')).toBe('srcaddr=10.0.1.5');
    expect(nodeWhere(n, 'dst')).toBe('dstaddr=10.0.1.5');
    expect(nodeWhere(m.nodes.get('other:external'), 'src')).toBe(null);
    expect(edgeWhere(m, data.edges[0])).toBe('srcaddr=10.0.1.5,dstaddr=10.0.2.9');
    expect(edgeWhere(m, data.edges[3])).toBe(null);
  });
  it('searches ids and alias labels', () => {
    expect(searchNodes(m, '10.0.1.5')).toEqual(['10.0.1.5']);
    expect(searchNodes(m, '10.0.')).toEqual(['10.0.1.5', '10.0.2.9']);
    expect(searchNodes(m, 's3 (us')).toEqual(['alias:S3 (us-east-1):443']);
    expect(searchNodes(m, '')).toEqual([]);
    expect(searchNodes(m, 'zzz')).toEqual([]);
  });
  it('survives empty input', () => {
    expect(buildModel({}).counts).toEqual({ nodes: 0, edges: 0, compounds: 0, skipped: 0 });
    expect(buildModel(null).elements).toEqual([]);
  });
});

describe('layout seeds', async () => {
  const { seedPositions, fcoseOptions } = await import('../src/graph/layout.js');
  const m = buildModel(data);
  it('seeds every non-container node, deterministically', () => {
    const a = seedPositions(m.elements, 3);
    const b = seedPositions(m.elements, 3);
    expect(a.size).toBe(4);
    expect([...a.keys()].sort()).toEqual(['10.0.1.5', '10.0.2.9', 'alias:S3 (us-east-1):443', 'other:external']);
    expect([...a.values()]).toEqual([...b.values()]);
    for (const p of a.values()) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    expect(seedPositions(m.elements, 4).get('10.0.1.5')).not.toEqual(a.get('10.0.1.5'));
  });
  it('bounds the iterations and scales repulsion with density', () => {
    const small = fcoseOptions(100, 150);
    const big = fcoseOptions(500, 1500);
    const dense = fcoseOptions(108, 6234);
    expect(small.animate).toBe(false);
    expect(big.numIter).toBeLessThanOrEqual(1000);
    expect(dense.nodeRepulsion()).toBeGreaterThan(small.nodeRepulsion());
    expect(fcoseOptions(10, 5, { fixed: [{ nodeId: 'a', position: { x: 0, y: 0 } }] }).fixedNodeConstraint).toHaveLength(1);
    expect(fcoseOptions(10, 5).fixedNodeConstraint).toBeUndefined();
  });
});
