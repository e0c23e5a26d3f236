import { describe, it, expect } from 'vitest';
import { buildSankeyData } from '../src/charts/sankey-data.js';

describe('sankey data', () => {
  it('is bipartite: an address both source and destination makes two nodes', () => {
    const rows = [
      { srcaddr: 'A', dstaddr: 'B', bytes: 100, flows: 1, packets: 1 },
      { srcaddr: 'B', dstaddr: 'A', bytes: 50, flows: 1, packets: 1 },
      { srcaddr: 'A', dstaddr: 'C', bytes: 10, flows: 1, packets: 1 },
    ];
    const d = buildSankeyData(rows);
    expect(d.nodes.map((n) => n.id)).toEqual(['s:A', 'd:B', 's:B', 'd:A', 'd:C']);
    expect(d.links).toHaveLength(3);
    for (const l of d.links) {
      expect(d.nodes[l.source].side).toBe('src');
      expect(d.nodes[l.target].side).toBe('dst');
    }
    expect(d.links[0].value).toBe(100);
  });
  it('drops rows without addresses or value', () => {
    const d = buildSankeyData([{ srcaddr: null, dstaddr: 'B', bytes: 1 }, { srcaddr: 'A', dstaddr: 'B', bytes: 0 }]);
    expect(d.links).toHaveLength(0);
    expect(d.nodes).toHaveLength(0);
  });
  it('uses the metric given', () => {
    const d = buildSankeyData([{ srcaddr: 'A', dstaddr: 'B', bytes: 1, flows: 7 }], 'flows');
    expect(d.links[0].value).toBe(7);
  });
});
