// The cytoscape stylesheet and the legend's entries (one source of truth).

export const COLORS = {
  internal: '#2563eb',
  external: '#e07b12',
  group: '#7c3aed',
  other: '#8b95a3',
  alias: '#0f172a',
  accepted: '#94a3b8',
  rejected: '#dc2626',
  unknown: '#cbd5e1',
  selected: '#f59e0b',
  pinned: '#0f766e',
};

export const LEGEND = {
  nodes: [
    { label: 'internal address', color: COLORS.internal, shape: 'circle' },
    { label: 'external address', color: COLORS.external, shape: 'circle' },
    { label: 'service (address:port)', color: COLORS.internal, shape: 'square' },
    { label: 'group (subnet, VPC, ENI…)', color: COLORS.group, shape: 'square' },
    { label: 'other (merged nodes)', color: COLORS.other, shape: 'diamond' },
    { label: 'alias (named endpoint)', color: '#ffffff', shape: 'circle', ring: COLORS.alias },
    { label: 'pinned', color: '#ffffff', shape: 'circle', ring: COLORS.pinned, dashed: true },
  ],
  edges: [
    { label: 'accepted', color: COLORS.accepted },
    { label: 'rejected only', color: COLORS.rejected },
    { label: 'accepted + rejected', color: COLORS.rejected, dashed: true },
    { label: 'action unknown', color: COLORS.unknown, dotted: true },
  ],
  notes: ['node size: total weight (sqrt)', 'edge width: bytes (log)', 'arrow: direction'],
};

// The styles that change the layout, for fcose's headless copy.
export const LAYOUT_STYLE = [
  { selector: 'node[size]', style: { width: 'data(size)', height: 'data(size)' } },
  { selector: 'node.container', style: { padding: 14, shape: 'round-rectangle' } },
];

export function graphStyle() {
  return [
    {
      selector: 'node',
      style: {
        'background-color': COLORS.internal,
        label: 'data(label)',
        'font-size': 10,
        'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        color: '#1f2937',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-outline-color': '#ffffff',
        'text-outline-width': 2,
        'text-outline-opacity': 0.85,
        // Labels show when drawn at 10 px or more (zoom ≥ 1); those of the
        // heaviest nodes (.major) always, at a size set against the zoom.
        'min-zoomed-font-size': 10,
        'border-width': 1,
        'border-color': '#ffffff',
        'overlay-opacity': 0,
      },
    },
    { selector: 'node[size]', style: { width: 'data(size)', height: 'data(size)' } },
    { selector: 'node.major', style: { 'min-zoomed-font-size': 0, 'font-weight': 'bold' } },
    { selector: 'node.ext', style: { 'background-color': COLORS.external } },
    { selector: 'node.k-service', style: { shape: 'round-rectangle' } },
    { selector: 'node.k-group', style: { 'background-color': COLORS.group, shape: 'round-rectangle' } },
    { selector: 'node.k-other', style: { 'background-color': COLORS.other, shape: 'diamond' } },
    { selector: 'node.alias', style: { 'border-width': 2.5, 'border-color': COLORS.alias, 'font-weight': 'bold', color: '#0f172a' } },
    {
      selector: 'node.container',
      style: {
        shape: 'round-rectangle',
        'background-color': '#f1f5f9',
        'background-opacity': 0.55,
        'border-width': 1,
        'border-color': '#94a3b8',
        label: 'data(label)',
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -2,
        'font-size': 11,
        'font-weight': 'bold',
        color: '#475569',
        'min-zoomed-font-size': 6,
        padding: 14,
      },
    },
    { selector: 'node.c-vpc', style: { 'background-color': '#eef2ff', 'border-color': '#818cf8', 'border-width': 2 } },
    { selector: 'node.c-subnet', style: { 'background-color': '#f0fdf4', 'border-color': '#4ade80', 'border-style': 'dashed' } },
    { selector: 'node.pinned', style: { 'border-width': 3, 'border-color': COLORS.pinned, 'border-style': 'dashed' } },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'line-color': COLORS.accepted,
        'target-arrow-color': COLORS.accepted,
        'target-arrow-shape': 'triangle',
        'arrow-scale': 0.7,
        'curve-style': 'straight',
        opacity: 0.45,
        'overlay-opacity': 0,
      },
    },
    { selector: 'edge.curved', style: { 'curve-style': 'bezier', 'control-point-step-size': 18 } },
    { selector: 'edge.rej', style: { 'line-color': COLORS.rejected, 'target-arrow-color': COLORS.rejected, opacity: 0.8 } },
    { selector: 'edge.mix', style: { 'line-color': COLORS.rejected, 'target-arrow-color': COLORS.rejected, 'line-style': 'dashed', 'line-dash-pattern': [6, 3], opacity: 0.8 } },
    { selector: 'edge.unk', style: { 'line-color': COLORS.unknown, 'target-arrow-color': COLORS.unknown, 'line-style': 'dotted' } },
    { selector: 'edge.loop', style: { 'loop-direction': '-45deg', 'loop-sweep': '-90deg' } },
    // Hover and search highlighting.
    { selector: '.faded', style: { opacity: 0.08, 'text-opacity': 0 } },
    { selector: 'edge.faded', style: { opacity: 0.05 } },
    { selector: 'node.container.faded', style: { opacity: 0.35, 'text-opacity': 0.6 } },
    // No z-index changes on hover: any makes cytoscape re-sort every element.
    { selector: 'node.hl', style: { 'text-opacity': 1 } },
    { selector: 'edge.hl', style: { opacity: 1 } },
    { selector: 'node.hover', style: { 'border-width': 3, 'border-color': '#111827' } },
    { selector: 'node.focus', style: { 'min-zoomed-font-size': 0, 'text-outline-opacity': 1 } },
    { selector: 'node.match', style: { 'border-width': 4, 'border-color': COLORS.selected, 'z-index': 30 } },
    { selector: 'node:selected', style: { 'border-width': 4, 'border-color': COLORS.selected, 'z-index': 30 } },
    { selector: 'edge:selected', style: { opacity: 1, 'line-color': COLORS.selected, 'target-arrow-color': COLORS.selected, 'z-index': 30 } },
    { selector: 'edge.rej:selected, edge.mix:selected', style: { 'line-color': '#7f1d1d', 'target-arrow-color': '#7f1d1d' } },
  ];
}
