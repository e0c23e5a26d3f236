// Top conversations as a Sankey diagram (d3-sankey): sources left,
// destinations right.

import { select } from 'd3-selection';
import { sankey, sankeyLinkHorizontal, sankeyLeft } from 'd3-sankey';
import { buildSankeyData } from './sankey-data.js';
import { fmtBytes, fmtInt, fmtPercent } from '../format.js';

const SRC = '#3b6fd8';
const DST = '#d9822b';

/** Renders the pair rows into container; onLink(row) on a link click. */
export function renderSankey(container, rows, { onLink, onNode } = {}) {
  const root = select(container);
  root.selectAll('*').remove();
  root.style('position', 'relative');
  const data = buildSankeyData(rows, 'bytes');
  const width = Math.max(360, container.clientWidth || 700);
  const labelW = 118;
  const height = Math.max(240, Math.min(460, 22 * Math.max(data.nodes.filter((n) => n.side === 'src').length, data.nodes.filter((n) => n.side === 'dst').length)));
  const layout = sankey()
    .nodeId((d) => d.index)
    .nodeAlign(sankeyLeft)
    .nodeWidth(10)
    .nodePadding(6)
    .extent([[labelW, 6], [width - labelW, height - 6]]);
  const graph = layout({ nodes: data.nodes.map((d) => ({ ...d })), links: data.links.map((d) => ({ ...d })) });
  const total = data.links.reduce((s, l) => s + l.value, 0);

  const svgEl = root.append('svg').attr('class', 'sankey').attr('width', width).attr('height', height).attr('role', 'img').attr('aria-label', 'Top conversations by bytes');
  const tip = root.append('div').attr('class', 'chart-tip').style('display', 'none');
  const showTip = (ev, lines) => {
    const rect = container.getBoundingClientRect();
    tip.style('display', 'block').html('');
    lines.forEach((l, i) => tip.append('div').attr('class', i === 0 ? 'tip-title' : null).text(l));
    let x = ev.clientX - rect.left + 12;
    if (x + 220 > width) x -= 240;
    tip.style('left', `${x}px`).style('top', `${ev.clientY - rect.top + 10}px`);
  };
  const hideTip = () => tip.style('display', 'none');

  svgEl.append('g').attr('fill', 'none').selectAll('path').data(graph.links).join('path')
    .attr('class', 'sankey-link')
    .attr('d', sankeyLinkHorizontal())
    .attr('stroke', SRC)
    .attr('stroke-opacity', 0.28)
    .attr('stroke-width', (d) => Math.max(1, d.width))
    .on('mousemove', (ev, d) => showTip(ev, [`${d.source.name} → ${d.target.name}`, `${fmtBytes(d.value)} (${fmtPercent((100 * d.value) / total)} of shown)`, `${fmtInt(d.row.flows)} flows, ${fmtInt(d.row.packets)} packets`]))
    .on('mouseleave', hideTip)
    .on('click', (ev, d) => onLink && onLink(d.row));

  const nodeG = svgEl.append('g').selectAll('g').data(graph.nodes).join('g').attr('class', 'sankey-node');
  nodeG.append('rect')
    .attr('x', (d) => d.x0).attr('y', (d) => d.y0)
    .attr('width', (d) => d.x1 - d.x0).attr('height', (d) => Math.max(1, d.y1 - d.y0))
    .attr('fill', (d) => (d.side === 'src' ? SRC : DST))
    .on('mousemove', (ev, d) => showTip(ev, [`${d.name} (${d.side === 'src' ? 'source' : 'destination'})`, fmtBytes(d.value)]))
    .on('mouseleave', hideTip)
    .on('click', (ev, d) => onNode && onNode(d));
  nodeG.append('text')
    .attr('x', (d) => (d.side === 'src' ? d.x0 - 5 : d.x1 + 5))
    .attr('y', (d) => (d.y0 + d.y1) / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', (d) => (d.side === 'src' ? 'end' : 'start'))
    .attr('class', 'sankey-label')
    .text((d) => d.name)
    .on('click', (ev, d) => onNode && onNode(d));
  return graph;
}
