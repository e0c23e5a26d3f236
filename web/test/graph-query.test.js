import { describe, it, expect } from 'vitest';
import { graphQuery } from '../src/views/graph.js';
import { flowsQuery } from '../src/views/flows.js';

describe('graph view parameters', () => {
  it('applies the UI defaults (top_k 1500)', () => {
    expect(graphQuery({})).toEqual({ top_k: '1500' });
  });
  it('passes the controls', () => {
    expect(graphQuery({ group: 'subnet', weight: 'flows', action: 'REJECT', external: 'internet', min_flows: '5', top_k: '0', max_nodes: '100' }))
      .toEqual({ group: 'subnet', weight: 'flows', action: 'REJECT', external: 'internet', min_flows: '5', max_nodes: '100' });
    expect(graphQuery({ action: 'both' })).toEqual({ top_k: '1500' });
  });
});

describe('flows view parameters', () => {
  it('pages', () => {
    expect(flowsQuery({})).toEqual({ limit: 100, order: 'desc', offset: 0 });
    expect(flowsQuery({ limit: '500', order: 'asc', offset: '1000' })).toEqual({ limit: 500, order: 'asc', offset: 1000 });
    expect(flowsQuery({ limit: '7', offset: '-3' })).toEqual({ limit: 100, order: 'desc', offset: 0 });
  });
});
