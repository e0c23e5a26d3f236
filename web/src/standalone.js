// The self-contained graph viewer of `flowlens graph -o html`: reads the
// graph JSON from <script type="application/json" id="flowlens-graph-data">
// and renders it into #flowlens-graph. No network access at all.

import './styles/base.css';
import './styles/graph.css';
import './styles/standalone.css';
import { h, replace } from './dom.js';
import { hooks } from './hooks.js';
import { fmtInt, fmtBytes } from './format.js';
import { createGraphExplorer } from './graph/explorer.js';

function fail(root, message) {
  replace(root, h('div', { class: 'standalone-error', role: 'alert' }, h('strong', null, 'Cannot show the graph: '), message));
  hooks().errors.push({ source: 'standalone', message, time: new Date().toISOString() });
}

export function mount() {
  const hk = hooks();
  hk.view = 'standalone';
  document.body.dataset.view = 'standalone';
  let root = document.getElementById('flowlens-graph');
  if (!root) {
    root = h('div', { id: 'flowlens-graph' });
    document.body.appendChild(root);
  }
  root.classList.add('flowlens-standalone');
  const script = document.getElementById('flowlens-graph-data');
  if (!script) return fail(root, 'no element #flowlens-graph-data holding the graph JSON.');
  let data;
  try {
    data = JSON.parse(script.textContent);
  } catch (err) {
    return fail(root, `the graph JSON does not parse (${err.message}).`);
  }
  if (data && data.status === 'success' && data.data) data = data.data; // an API envelope works too
  if (!data || !Array.isArray(data.nodes)) return fail(root, 'the graph JSON has no "nodes".');

  const title = data.title || 'flowlens graph';
  if (!document.title) document.title = title;
  const sub = [`group ${data.group || 'ip'}`, `weight ${data.weight || 'bytes'}`];
  if (data.totals) sub.push(`${fmtInt(data.totals.flows)} flows, ${fmtBytes(data.totals.bytes)} selected`);
  if (data.plan) sub.push(`plan ${data.plan}`);

  let explorer;
  explorer = createGraphExplorer({
    flows: null,
    onSelect: (sel) => explorer.setSelection(sel, { center: false }),
  });
  replace(root,
    h('header', { class: 'standalone-head' },
      h('h1', null, title),
      h('span', { class: 'muted small' }, sub.join(' · ')),
      h('span', { class: 'muted small standalone-hint' }, 'Offline snapshot: raw flows need ', h('code', null, 'flowlens serve'), '.'),
    ),
    explorer.el,
  );
  const notes = (data.notes || []).map((n) => ({ text: n, kind: 'server' }));
  if (data.pseudonymized) notes.push({ text: 'Addresses and identifiers are pseudonymized.', kind: 'ui' });
  const edges = Array.isArray(data.edges) ? data.edges.length : 0;
  if (edges > 3000) {
    notes.push({ text: `${edges.toLocaleString('en-US')} edges: a graph this big is slow to draw and hard to read; \`flowlens graph --top-k 1500 -o html\` keeps the heaviest edges only.`, kind: 'ui' });
  }
  explorer.setNotes(notes);
  try {
    explorer.setData(data, { weight: data.weight });
    explorer.setStatus(data.nodes.length ? null : 'The graph is empty (no conversations matched).');
  } catch (err) {
    fail(root, err.message);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
