// The graph legend (node kinds, edge colours), from style.js's LEGEND.

import { h, svg } from '../dom.js';
import { LEGEND } from './style.js';

function nodeSwatch(item) {
  const s = svg('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true' });
  const stroke = item.ring || '#ffffff';
  const sw = item.ring ? 2 : 1;
  const dash = item.dashed ? '2 1.5' : null;
  if (item.shape === 'square') s.appendChild(svg('rect', { x: 2, y: 2, width: 10, height: 10, rx: 2, fill: item.color, stroke, 'stroke-width': sw }));
  else if (item.shape === 'diamond') s.appendChild(svg('path', { d: 'M7 1 L13 7 L7 13 L1 7 Z', fill: item.color, stroke, 'stroke-width': sw }));
  else s.appendChild(svg('circle', { cx: 7, cy: 7, r: 5.5, fill: item.color, stroke, 'stroke-width': sw, 'stroke-dasharray': dash }));
  return s;
}

function edgeSwatch(item) {
  const s = svg('svg', { width: 26, height: 10, viewBox: '0 0 26 10', 'aria-hidden': 'true' });
  s.appendChild(svg('line', { x1: 1, y1: 5, x2: 20, y2: 5, stroke: item.color, 'stroke-width': 2.5, 'stroke-dasharray': item.dashed ? '5 3' : item.dotted ? '1.5 2.5' : null }));
  s.appendChild(svg('path', { d: 'M19 1.5 L25 5 L19 8.5 Z', fill: item.color }));
  return s;
}

export function createLegend() {
  const body = h('div', { class: 'legend-body' },
    h('ul', null, LEGEND.nodes.map((i) => h('li', null, nodeSwatch(i), i.label))),
    h('ul', null, LEGEND.edges.map((i) => h('li', null, edgeSwatch(i), i.label))),
    h('p', { class: 'muted small' }, LEGEND.notes.join(' · ')),
  );
  const toggle = h('button', { type: 'button', class: 'legend-toggle', 'aria-expanded': 'true' }, 'Legend');
  const el = h('div', { class: 'graph-legend', 'data-testid': 'graph-legend' }, toggle, body);
  toggle.addEventListener('click', () => {
    body.hidden = !body.hidden;
    toggle.setAttribute('aria-expanded', String(!body.hidden));
  });
  return el;
}
