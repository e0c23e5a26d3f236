// Time range presets. Presets are relative to the newest stored flow
// (status.store.last), not to the wall clock: stored data is often old.

import { fmtTime, toDate } from './format.js';

export const PRESETS = [
  { id: '15m', label: 'Last 15m', seconds: 15 * 60 },
  { id: '1h', label: 'Last 1h', seconds: 3600 },
  { id: '6h', label: 'Last 6h', seconds: 6 * 3600 },
  { id: '24h', label: 'Last 24h', seconds: 24 * 3600 },
  { id: '7d', label: 'Last 7d', seconds: 7 * 86400 },
  { id: 'all', label: 'All data', seconds: null },
];

export const DEFAULT_RANGE = 'all';

/** RFC 3339 UTC with second precision: "2026-01-05T05:59:59Z". */
export function toRFC3339(d) {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function presetById(id) {
  return PRESETS.find((p) => p.id === id) || null;
}

/** The kind of time selection in params: "custom" or a preset id. */
export function rangeMode(params) {
  if (params.from || params.to) return 'custom';
  return presetById(params.range) ? params.range : DEFAULT_RANGE;
}

/**
 * The API's time parameters for the URL params:
 * a preset → from = last − duration (no to: up to the newest flow);
 * custom → from/to as given; all → none.
 * storeLast is status.store.last; without it a preset falls back to since=.
 */
export function rangeToQuery(params, storeLast) {
  const mode = rangeMode(params);
  if (mode === 'custom') {
    const q = {};
    if (params.from) q.from = params.from;
    if (params.to) q.to = params.to;
    return q;
  }
  const p = presetById(mode);
  if (!p || p.seconds == null) return {};
  const last = toDate(storeLast);
  if (!last) return { since: p.id };
  return { from: toRFC3339(new Date(last.getTime() - p.seconds * 1000)) };
}

/** The API filter params (time, where, pattern) for URL params. */
export function filterQuery(params, storeLast) {
  const q = rangeToQuery(params, storeLast);
  if (params.where) q.where = params.where;
  if (params.pattern) q.pattern = params.pattern;
  return q;
}

/** Human description: "Last 1h of data (04:59:59 → 05:59:59 UTC)". */
export function describeRange(params, storeLast) {
  const mode = rangeMode(params);
  if (mode === 'custom') {
    return `${params.from ? fmtTime(params.from) : 'start'} → ${params.to ? fmtTime(params.to) : 'end'}`;
  }
  const p = presetById(mode);
  if (!p.seconds) return 'All data';
  const q = rangeToQuery(params, storeLast);
  if (!q.from) return `${p.label} of data`;
  return `${p.label} of data (from ${fmtTime(q.from)})`;
}

/** RFC 3339 → the text of a time input: "2026-01-05 04:59:59" (UTC). */
export function toInputValue(v) {
  const d = toDate(v);
  if (!d) return '';
  return toRFC3339(d).slice(0, 19).replace('T', ' ');
}

/**
 * The text of a time input (UTC) → RFC 3339, or '' when empty or invalid.
 * Accepts "2026-01-05 04:59:59", "2026-01-05T04:59", "2026-01-05" and a
 * trailing "Z" or " UTC".
 */
export function fromInputValue(s) {
  if (!s) return '';
  let v = s.trim().replace(/\s*(UTC|Z)$/i, '').replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) v += 'T00:00:00';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) v += ':00';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v)) return '';
  const d = new Date(v + 'Z');
  if (Number.isNaN(d.getTime()) || toRFC3339(d).slice(0, 19) !== v) return '';
  return toRFC3339(d);
}
