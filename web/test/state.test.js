import { describe, it, expect } from 'vitest';
import { parseHash, buildHash, filtersOf, mergeWhere, addCondition, flowsLink, encodeSel, decodeSel, changed, encodeQuery } from '../src/state.js';
import { stripToken } from '../src/token.js';

describe('URL state', () => {
  it('parses views and params', () => {
    expect(parseHash('')).toEqual({ view: 'dashboard', params: {} });
    expect(parseHash('#/graph?group=subnet&top_k=500')).toEqual({ view: 'graph', params: { group: 'subnet', top_k: '500' } });
    expect(parseHash('#/nope?x=1').view).toBe('dashboard');
    expect(parseHash('#/flows?where=').params).toEqual({});
  });
  it('round-trips values with special characters', () => {
    const params = { where: 'dstport=22|3389,action=REJECT', pattern: '[..., action=REJECT, status]', sel: 'node:alias:db "primary" \\ <main> & co:5432', from: '2026-01-05T00:00:00Z' };
    const hash = buildHash('graph', params);
    expect(hash.startsWith('#/graph?')).toBe(true);
    expect(hash).not.toContain(' ');
    expect(hash).not.toContain('&co');
    expect(parseHash(hash)).toEqual({ view: 'graph', params });
  });
  it('orders filters before view keys and drops empty values', () => {
    expect(buildHash('flows', { offset: '100', where: 'action=REJECT', limit: '', range: '1h' })).toBe('#/flows?range=1h&where=action%3DREJECT&offset=100');
    expect(buildHash('dashboard', {})).toBe('#/dashboard');
  });
  it('encodes spaces as %20', () => {
    expect(encodeQuery({ pattern: 'a b+c' })).toBe('pattern=a%20b%2Bc');
  });
  it('picks the filters', () => {
    expect(filtersOf({ range: '1h', where: 'x=1', group: 'ip', sel: 'node:a' })).toEqual({ range: '1h', where: 'x=1' });
  });
  it('merges where expressions', () => {
    expect(mergeWhere('action=REJECT', 'srcaddr=10.0.0.1')).toBe('action=REJECT,srcaddr=10.0.0.1');
    expect(mergeWhere('', 'srcaddr=10.0.0.1')).toBe('srcaddr=10.0.0.1');
    expect(mergeWhere(undefined, ' ', 'a=1')).toBe('a=1');
    expect(addCondition('a=1', 'a=1')).toBe('a=1');
    expect(addCondition('a=1', 'b=2')).toBe('a=1,b=2');
    expect(addCondition('', 'b=2')).toBe('b=2');
  });
  it('links to the flows view with merged filters', () => {
    expect(flowsLink({ range: '1h', where: 'action=REJECT', group: 'ip' }, 'srcaddr=10.0.1.5')).toBe('#/flows?range=1h&where=action%3DREJECT%2Csrcaddr%3D10.0.1.5');
  });
  it('encodes and decodes selections', () => {
    expect(encodeSel({ type: 'node', id: '10.0.1.5' })).toBe('node:10.0.1.5');
    expect(encodeSel({ type: 'edge', src: 'a', dst: 'b' })).toBe('edge:a>b');
    expect(encodeSel(null)).toBe('');
    expect(decodeSel('node:10.0.1.5')).toEqual({ type: 'node', id: '10.0.1.5' });
    expect(decodeSel('edge:a>b')).toEqual({ type: 'edge', src: 'a', dst: 'b' });
    // IDs holding ">" are resolved against the edges that exist.
    const src = 'alias:db <main>:5432';
    const s = encodeSel({ type: 'edge', src, dst: '10.0.0.1' });
    const has = (a, b) => a === src && b === '10.0.0.1';
    expect(decodeSel(s, has)).toEqual({ type: 'edge', src, dst: '10.0.0.1' });
    expect(decodeSel('edge:x>y', () => false)).toBe(null);
    expect(decodeSel('bogus')).toBe(null);
  });
  it('detects changes on keys', () => {
    expect(changed({ a: '1' }, { a: '1', b: '' }, ['a', 'b'])).toBe(false);
    expect(changed({ a: '1' }, { a: '2' }, ['a'])).toBe(true);
    expect(changed({ a: '1' }, { b: '1' })).toBe(true);
  });
});

describe('token in URLs', () => {
  it('strips token= from the page query and the hash', () => {
    expect(stripToken('?token=abc&x=1')).toEqual({ token: 'abc', rest: '?x=1' });
    expect(stripToken('?token=abc')).toEqual({ token: 'abc', rest: '' });
    expect(stripToken('#/graph?group=ip&token=s3cr%2Bt')).toEqual({ token: 's3cr+t', rest: '#/graph?group=ip' });
    expect(stripToken('#/graph')).toEqual({ token: '', rest: '#/graph' });
    expect(stripToken('')).toEqual({ token: '', rest: '' });
  });
});
