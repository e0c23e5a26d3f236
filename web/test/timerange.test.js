import { describe, it, expect } from 'vitest';
import { rangeToQuery, rangeMode, filterQuery, describeRange, toInputValue, fromInputValue, PRESETS } from '../src/timerange.js';

const LAST = '2026-01-05T05:59:59Z';

describe('time presets relative to the newest stored flow', () => {
  it('has the presets', () => {
    expect(PRESETS.map((p) => p.id)).toEqual(['15m', '1h', '6h', '24h', '7d', 'all']);
  });
  it('computes from = last − duration', () => {
    expect(rangeToQuery({ range: '1h' }, LAST)).toEqual({ from: '2026-01-05T04:59:59Z' });
    expect(rangeToQuery({ range: '15m' }, LAST)).toEqual({ from: '2026-01-05T05:44:59Z' });
    expect(rangeToQuery({ range: '7d' }, LAST)).toEqual({ from: '2025-12-29T05:59:59Z' });
  });
  it('all data and unknown presets select everything', () => {
    expect(rangeToQuery({}, LAST)).toEqual({});
    expect(rangeToQuery({ range: 'all' }, LAST)).toEqual({});
    expect(rangeToQuery({ range: 'bogus' }, LAST)).toEqual({});
  });
  it('falls back to since= without a store', () => {
    expect(rangeToQuery({ range: '6h' }, null)).toEqual({ since: '6h' });
  });
  it('custom bounds win over a preset', () => {
    expect(rangeMode({ range: '1h', from: '2026-01-05T01:00:00Z' })).toBe('custom');
    expect(rangeToQuery({ from: '2026-01-05T01:00:00Z', to: '2026-01-05T02:00:00Z' }, LAST)).toEqual({ from: '2026-01-05T01:00:00Z', to: '2026-01-05T02:00:00Z' });
  });
  it('builds the API filters', () => {
    expect(filterQuery({ range: '1h', where: 'action=REJECT', pattern: '[..., action=REJECT, status]', group: 'ip' }, LAST)).toEqual({
      from: '2026-01-05T04:59:59Z', where: 'action=REJECT', pattern: '[..., action=REJECT, status]',
    });
  });
  it('describes ranges', () => {
    expect(describeRange({ range: '1h' }, LAST)).toBe('Last 1h of data (from 2026-01-05 04:59:59 UTC)');
    expect(describeRange({}, LAST)).toBe('All data');
  });
  it('converts time input text as UTC', () => {
    expect(toInputValue('2026-01-05T04:59:59Z')).toBe('2026-01-05 04:59:59');
    expect(toInputValue(null)).toBe('');
    expect(fromInputValue('2026-01-05 04:59')).toBe('2026-01-05T04:59:00Z');
    expect(fromInputValue('2026-01-05T04:59:30')).toBe('2026-01-05T04:59:30Z');
    expect(fromInputValue(' 2026-01-05 04:59:30 UTC ')).toBe('2026-01-05T04:59:30Z');
    expect(fromInputValue('2026-01-05T04:59:30Z')).toBe('2026-01-05T04:59:30Z');
    expect(fromInputValue('2026-01-05')).toBe('2026-01-05T00:00:00Z');
    expect(fromInputValue('2026-02-30 00:00')).toBe('');
    expect(fromInputValue('')).toBe('');
    expect(fromInputValue('junk')).toBe('');
  });
});
