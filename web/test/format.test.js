import { describe, it, expect } from 'vitest';
import { fmtInt, fmtBytes, fmtCount, fmtPercent, fmtTime, fmtDuration, protocolName, fmtCell, portLabel, isNumericColumn } from '../src/format.js';

describe('format', () => {
  it('integers with thousands separators', () => {
    expect(fmtInt(500000)).toBe('500,000');
    expect(fmtInt(47562588558)).toBe('47,562,588,558');
    expect(fmtInt(0)).toBe('0');
    expect(fmtInt(null)).toBe('—');
  });
  it('bytes in decimal units', () => {
    expect(fmtBytes(0)).toBe('0 B');
    expect(fmtBytes(999)).toBe('999 B');
    expect(fmtBytes(1000)).toBe('1.00 kB');
    expect(fmtBytes(1234567)).toBe('1.23 MB');
    expect(fmtBytes(47562588558)).toBe('47.6 GB');
    expect(fmtBytes(999999)).toBe('1.00 MB');
    expect(fmtBytes(123456789012345)).toBe('123 TB');
    expect(fmtBytes(undefined)).toBe('—');
  });
  it('compact counts', () => {
    expect(fmtCount(999)).toBe('999');
    expect(fmtCount(3400000)).toBe('3.40 M');
    expect(fmtCount(19753930)).toBe('19.8 M');
    expect(fmtCount(500000)).toBe('500 k');
  });
  it('percentages', () => {
    expect(fmtPercent(94.3272)).toBe('94.3 %');
    expect(fmtPercent(4.9364)).toBe('4.94 %');
    expect(fmtPercent(0.0037)).toBe('<0.01 %');
    expect(fmtPercent(0)).toBe('0 %');
    expect(fmtPercent(null)).toBe('—');
  });
  it('UTC times from RFC 3339 and Unix seconds', () => {
    expect(fmtTime('2026-01-05T05:59:59Z')).toBe('2026-01-05 05:59:59 UTC');
    expect(fmtTime(1767571146, { utc: false })).toBe('2026-01-04 23:59:06');
    expect(fmtTime('2026-01-05T05:59:59Z', { seconds: false })).toBe('2026-01-05 05:59 UTC');
    expect(fmtTime('nope')).toBe('—');
  });
  it('durations', () => {
    expect(fmtDuration(21653)).toBe('6h 0m 53s');
    expect(fmtDuration(45)).toBe('45s');
    expect(fmtDuration(90061)).toBe('1d 1h 1m');
  });
  it('protocol names', () => {
    expect(protocolName(6)).toBe('TCP');
    expect(protocolName(17)).toBe('UDP');
    expect(protocolName(1)).toBe('ICMP');
    expect(protocolName(58)).toBe('ICMPv6');
    expect(protocolName(253)).toBe('253');
  });
  it('cells by column kind and raw flow fields', () => {
    expect(fmtCell(1767571146, { name: 'start', kind: 'id' })).toBe('2026-01-04 23:59:06');
    expect(fmtCell(6, { name: 'protocol', kind: 'id' })).toBe('TCP');
    expect(fmtCell(1000, { name: 'bytes', kind: 'bytes' })).toBe('1.00 kB');
    expect(fmtCell(12.5, { name: 'share', kind: 'percent' })).toBe('12.5 %');
    expect(fmtCell(null, { name: 'srcaddr', kind: 'string' })).toBe('—');
    expect(fmtCell(443, { name: 'dstport', kind: 'id' })).toBe('443');
    expect(isNumericColumn({ name: 'bytes', kind: 'int' })).toBe(true);
    expect(isNumericColumn({ name: 'srcaddr', kind: 'string' })).toBe(false);
    expect(isNumericColumn({ name: 'protocol', kind: 'id' })).toBe(false);
  });
  it('port labels', () => {
    expect(portLabel({ port: 443, protocol: 6, service: 'https' })).toBe('443/TCP https');
    expect(portLabel({ port: 53, protocol: 17 })).toBe('53/UDP');
  });
});
