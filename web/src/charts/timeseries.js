// Time series charts (uPlot), UTC time axis, responsive width.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fmtBytes, fmtCount, fmtInt, fmtTime, toDate } from '../format.js';

const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

/** Rows of a time_series table → uPlot aligned data [[x], [s1], …]. */
export function toAligned(rows, fields) {
  const xs = [];
  const ys = fields.map(() => []);
  for (const r of rows) {
    const d = toDate(r.time);
    if (!d) continue;
    xs.push(Math.floor(d.getTime() / 1000));
    fields.forEach((f, i) => ys[i].push(r[f] ?? null));
  }
  return [xs, ...ys];
}

const FORMATTERS = { bytes: fmtBytes, count: fmtCount };

const pad = (n) => String(n).padStart(2, '0');

/** 24-hour UTC tick labels; the date on the first tick and at midnight. */
export function timeTicks(u, splits, axisIdx, space, incr) {
  return splits.map((ts, i) => {
    if (ts == null) return null;
    const d = new Date(ts * 1000);
    const date = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    if (incr >= 86400) return date;
    const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    return i === 0 || (d.getUTCHours() === 0 && d.getUTCMinutes() === 0) ? `${hm}\n${date}` : hm;
  });
}

/**
 * createTimeChart(container, {series: [{label, field, color, unit: 'bytes'|'count', axis: 'left'|'right', fill}], height})
 * → {setRows(rows), destroy()}.
 */
export function createTimeChart(container, { series, height = 210 }) {
  let plot = null;
  let lastRows = [];

  function build(rows) {
    if (plot) plot.destroy();
    const width = Math.max(200, container.clientWidth || 600);
    const scales = { x: { time: true } };
    const axes = [
      {
        values: timeTicks,
        stroke: '#4b5563',
        grid: { stroke: '#e5e7eb', width: 1 },
        ticks: { stroke: '#d1d5db' },
        font: '11px system-ui, sans-serif',
      },
    ];
    const useRight = series.some((s) => s.axis === 'right');
    series.forEach((s, i) => {
      const key = s.axis === 'right' ? 'r' : 'l';
      if (!scales[key]) scales[key] = { auto: true, range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] };
      if (axes.find((a) => a.scale === key)) return;
      const fmt = FORMATTERS[s.unit] || fmtCount;
      axes.push({
        scale: key,
        side: key === 'r' ? 1 : 3,
        stroke: useRight ? s.color : '#4b5563',
        grid: { show: key === 'l', stroke: '#eef0f3', width: 1 },
        ticks: { stroke: '#d1d5db' },
        font: '11px system-ui, sans-serif',
        size: 64,
        values: (u, vals) => vals.map((v) => fmt(v)),
      });
      void i;
    });
    const opts = {
      width,
      height,
      tzDate: utc,
      scales,
      axes,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { live: true },
      series: [
        { label: 'Time (UTC)', value: (u, v) => (v == null ? '—' : fmtTime(v, { utc: false })) },
        ...series.map((s) => ({
          label: s.label,
          scale: s.axis === 'right' ? 'r' : 'l',
          stroke: s.color,
          width: 1.5,
          fill: s.fill || null,
          points: { show: false },
          value: (u, v) => (v == null ? '—' : s.unit === 'bytes' ? `${fmtBytes(v)}` : fmtInt(v)),
        })),
      ],
    };
    plot = new uPlot(opts, toAligned(rows, series.map((s) => s.field)), container);
  }

  let raf = 0;
  const ro = new ResizeObserver(() => {
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(() => {
      if (plot && container.clientWidth && Math.abs(plot.width - container.clientWidth) > 2) {
        plot.setSize({ width: container.clientWidth, height });
      }
    });
  });
  ro.observe(container);

  return {
    setRows(rows) {
      lastRows = rows;
      build(lastRows);
    },
    destroy() {
      ro.disconnect();
      cancelAnimationFrame(raf);
      if (plot) plot.destroy();
      plot = null;
    },
  };
}
