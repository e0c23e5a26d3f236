// Number, byte, time and protocol formatting shared by every view.
// Bytes use decimal (SI) units everywhere: 1 kB = 1000 B.

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const DASH = '—';

export function fmtInt(n) {
  if (n == null || Number.isNaN(n)) return DASH;
  return intFmt.format(n);
}

/** A number with up to `digits` fraction digits, and thousands separators. */
export function fmtNumber(n, digits = 2) {
  if (n == null || Number.isNaN(n)) return DASH;
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(n);
}

function scaled(n, base, units, sep = ' ') {
  if (n == null || Number.isNaN(n)) return DASH;
  const neg = n < 0;
  let v = Math.abs(n);
  let i = 0;
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  // Rounding can carry over (999.95 kB → "1000.0 kB"): bump the unit.
  if (i > 0 && i < units.length - 1 && Number(v.toFixed(1)) >= base) {
    v /= base;
    i++;
  }
  const digits = i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  return (neg ? '-' : '') + v.toFixed(digits) + sep + units[i];
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
const COUNT_UNITS = ['', 'k', 'M', 'G', 'T', 'P'];

/** 47562588558 → "47.6 GB" (decimal units). */
export function fmtBytes(n) {
  return scaled(n, 1000, BYTE_UNITS);
}

/** Bytes per second → "1.20 MB/s". */
export function fmtRate(n) {
  const s = fmtBytes(n);
  return s === DASH ? s : s + '/s';
}

/** 19753930 → "19.8 M"; below 1000 the exact integer. */
export function fmtCount(n) {
  if (n == null || Number.isNaN(n)) return DASH;
  if (Math.abs(n) < 1000) return fmtInt(n);
  return scaled(n, 1000, COUNT_UNITS).trimEnd();
}

/** A 0–100 share → "94.3 %"; tiny non-zero shares show as "<0.01 %". */
export function fmtPercent(p) {
  if (p == null || Number.isNaN(p)) return DASH;
  if (p === 0) return '0 %';
  if (Math.abs(p) < 0.01) return '<0.01 %';
  const digits = Math.abs(p) >= 10 ? 1 : 2;
  return p.toFixed(digits) + ' %';
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/** Parses an RFC 3339 string, a Date, or Unix seconds into a Date (or null). */
export function toDate(v) {
  if (v == null || v === '') return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v * 1000);
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-01-05 05:59:59" (UTC), with " UTC" unless utc === false. */
export function fmtTime(v, { utc = true, seconds = true } = {}) {
  const d = toDate(v);
  if (!d) return DASH;
  let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (seconds) s += `:${pad(d.getUTCSeconds())}`;
  return utc ? s + ' UTC' : s;
}

/** Seconds → "6h 0m 53s", "2d 3h", "45s". */
export function fmtDuration(sec) {
  if (sec == null || Number.isNaN(sec)) return DASH;
  let s = Math.round(Math.abs(sec));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = Math.floor(s / 3600);
  s -= hh * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d ${hh}h ${m}m`;
  if (hh) return `${hh}h ${m}m ${s}s`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

const PROTOCOLS = {
  0: 'HOPOPT', 1: 'ICMP', 2: 'IGMP', 4: 'IPv4', 6: 'TCP', 17: 'UDP', 41: 'IPv6',
  47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP',
};

/** 6 → "TCP"; unknown numbers stay numbers. */
export function protocolName(n) {
  if (n == null) return DASH;
  return PROTOCOLS[n] || String(n);
}

/** "443/TCP https" style label of a port entry {port, protocol, service}. */
export function portLabel(p) {
  const proto = p.protocol != null ? protocolName(p.protocol) : '';
  let s = proto ? `${p.port}/${proto}` : String(p.port);
  if (p.service) s += ` ${p.service}`;
  return s;
}

// Columns whose values are Unix seconds although their kind is "id" (the
// start and end fields of raw flows).
const UNIX_TIME_COLUMNS = new Set(['start', 'end']);

/**
 * Formats one table cell from its column ({name, kind}). Raw flow fields
 * get domain formatting: start/end times, protocol names.
 */
export function fmtCell(value, col) {
  if (value == null) return DASH;
  const name = col.name;
  if (UNIX_TIME_COLUMNS.has(name) && typeof value === 'number') return fmtTime(value, { utc: false });
  if (name === 'protocol' && typeof value === 'number') return protocolName(value);
  switch (col.kind) {
    case 'int': return fmtInt(value);
    case 'float': return fmtNumber(value, 3);
    case 'bytes': return fmtBytes(value);
    case 'bytes_per_second': return fmtRate(value);
    case 'percent': return fmtPercent(value);
    case 'time': return fmtTime(value, { utc: false });
    case 'duration': return fmtDuration(value);
    default: return String(value);
  }
}

/** Whether a column is right-aligned (numbers). */
export function isNumericColumn(col) {
  if (col.name === 'protocol' || UNIX_TIME_COLUMNS.has(col.name)) return false;
  return ['int', 'float', 'bytes', 'bytes_per_second', 'percent', 'duration', 'id'].includes(col.kind);
}
