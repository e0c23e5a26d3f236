// Hour × weekday heat map (d3): colour legend and hover tooltips.

import { select } from 'd3-selection';
import { scaleSequentialSqrt } from 'd3-scale';
import { interpolateYlGnBu } from 'd3-scale-chromatic';
import { fmtBytes, fmtInt } from '../format.js';

const HOURS = Array.from({ length: 24 }, (_, i) => `h${String(i).padStart(2, '0')}`);
const DAY_SHORT = { Monday: 'Mon', Tuesday: 'Tue', Wednesday: 'Wed', Thursday: 'Thu', Friday: 'Fri', Saturday: 'Sat', Sunday: 'Sun' };
const EMPTY = '#f3f4f6';

/** Heat map cells from the heat_map table: [{day, hour, value}], plus max. */
export function heatCells(rows) {
  const cells = [];
  let max = 0;
  rows.forEach((r, di) => {
    HOURS.forEach((k, hi) => {
      const v = Number(r[k]) || 0;
      if (v > max) max = v;
      cells.push({ day: r.weekday, di, hour: hi, value: v });
    });
  });
  return { cells, max };
}

/** Renders into container (cleared); metric is bytes, packets or flows. */
export function renderHeatmap(container, rows, metric) {
  const fmt = metric === 'bytes' ? fmtBytes : fmtInt;
  const { cells, max } = heatCells(rows);
  const root = select(container);
  root.selectAll('*').remove();
  root.style('position', 'relative');

  const width = Math.max(320, container.clientWidth || 600);
  const left = 36;
  const top = 16;
  const cw = Math.max(8, Math.floor((width - left - 8) / 24));
  const ch = Math.max(14, Math.min(26, cw));
  const gridW = cw * 24;
  const gridH = ch * rows.length;
  const legendH = 34;
  const color = scaleSequentialSqrt(interpolateYlGnBu).domain([0, max || 1]);

  const svgEl = root.append('svg').attr('class', 'heatmap').attr('width', left + gridW + 8).attr('height', top + gridH + legendH).attr('role', 'img').attr('aria-label', `${metric} per weekday and hour (UTC)`);

  svgEl.append('g').selectAll('text').data(rows).join('text')
    .attr('x', left - 6).attr('y', (d, i) => top + i * ch + ch / 2).attr('dy', '0.35em').attr('text-anchor', 'end').attr('class', 'axis-label')
    .text((d) => DAY_SHORT[d.weekday] || d.weekday);
  svgEl.append('g').selectAll('text').data(HOURS.filter((_, i) => i % 3 === 0)).join('text')
    .attr('x', (d) => left + Number(d.slice(1)) * cw + cw / 2).attr('y', top - 5).attr('text-anchor', 'middle').attr('class', 'axis-label')
    .text((d) => d.slice(1));

  const tip = root.append('div').attr('class', 'chart-tip').style('display', 'none');
  svgEl.append('g').selectAll('rect').data(cells).join('rect')
    .attr('x', (d) => left + d.hour * cw).attr('y', (d) => top + d.di * ch)
    .attr('width', cw - 1).attr('height', ch - 1).attr('rx', 1.5)
    .attr('fill', (d) => (d.value > 0 ? color(d.value) : EMPTY))
    .attr('data-testid', 'heat-cell')
    .on('mouseenter', function (ev, d) {
      select(this).attr('stroke', '#111827').attr('stroke-width', 1.5);
      const hh = String(d.hour).padStart(2, '0');
      tip.style('display', 'block').html('')
        .call((t) => {
          t.append('div').attr('class', 'tip-title').text(`${d.day} ${hh}:00–${hh}:59 UTC`);
          t.append('div').text(`${fmt(d.value)} ${metric === 'bytes' ? '' : metric}`.trim());
          if (metric === 'bytes') t.append('div').attr('class', 'muted').text(`${fmtInt(d.value)} bytes`);
        });
      const x = left + d.hour * cw + cw + 6;
      const flip = x + 170 > width;
      tip.style('left', `${flip ? left + d.hour * cw - 176 : x}px`).style('top', `${top + d.di * ch}px`);
    })
    .on('mouseleave', function () {
      select(this).attr('stroke', null);
      tip.style('display', 'none');
    });

  // Legend: a gradient bar with 0 and max.
  const lg = svgEl.append('g').attr('transform', `translate(${left},${top + gridH + 12})`);
  const gid = `hm-grad-${Math.random().toString(36).slice(2, 8)}`;
  const grad = svgEl.append('defs').append('linearGradient').attr('id', gid);
  for (let i = 0; i <= 10; i++) grad.append('stop').attr('offset', `${i * 10}%`).attr('stop-color', color((max || 1) * (i / 10) ** 2));
  const lw = Math.min(220, gridW);
  lg.append('rect').attr('width', lw).attr('height', 8).attr('fill', `url(#${gid})`).attr('stroke', '#d1d5db');
  lg.append('text').attr('x', 0).attr('y', 20).attr('class', 'axis-label').text('0');
  lg.append('text').attr('x', lw).attr('y', 20).attr('text-anchor', 'end').attr('class', 'axis-label').text(fmt(max));
  lg.append('rect').attr('x', lw + 16).attr('width', 10).attr('height', 8).attr('fill', EMPTY).attr('stroke', '#d1d5db');
  lg.append('text').attr('x', lw + 30).attr('y', 8).attr('class', 'axis-label').text('no traffic');
  return { max };
}
