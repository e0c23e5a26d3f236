// The graph explorer: toolbar (search, freeze, re-layout, unpin, fit),
// notes, counts, canvas, legend and side panel. Used as is by the
// standalone viewer, and by the app's graph view (which adds the
// server-backed controls and the raw flows).

import { h, replace } from '../dom.js';
import { hooks } from '../hooks.js';
import { fmtInt, fmtBytes } from '../format.js';
import { createGraphViewer } from './viewer.js';
import { createLegend } from './legend.js';
import { renderSidePanel } from './sidepanel.js';

/**
 * createGraphExplorer({flows, onSelect(sel), onTab(tab), controls})
 * flows: null or {render(container, where)} (see sidepanel.js).
 * onSelect: called on user selection; the owner calls setSelection
 * (the app through the URL, the standalone directly).
 */
export function createGraphExplorer({ flows = null, onSelect, onTab, controls = null } = {}) {
  const search = h('input', { class: 'input input-search', type: 'search', placeholder: 'Find address, id or alias…', 'data-testid': 'graph-search', 'aria-label': 'Search nodes', spellcheck: 'false', autocomplete: 'off' });
  const searchInfo = h('span', { class: 'muted small search-info', 'aria-live': 'polite' });
  const freezeBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'graph-freeze', 'aria-pressed': 'false', title: 'Lock every node where it is' }, 'Freeze');
  const relayoutBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'graph-relayout', title: 'Run the layout again (pinned nodes stay)' }, 'Re-layout');
  const unpinBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'graph-unpin-all', disabled: true }, 'Unpin all');
  const fitBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'graph-fit', title: 'Fit the graph in the view' }, 'Fit');
  const count = h('span', { class: 'graph-count muted small', 'data-testid': 'graph-count', 'data-nodes': '0', 'data-edges': '0' });
  const notes = h('div', { class: 'graph-notes', 'data-testid': 'graph-notes' });
  const status = h('div', { class: 'graph-status', hidden: true });
  const stageHost = h('div', { class: 'graph-stage-host' });
  const side = h('aside', { class: 'side-panel', 'data-testid': 'side-panel', hidden: true, 'aria-label': 'Selection details' });
  const stage = h('div', { class: 'graph-stage' }, stageHost, createLegend(), status);

  const el = h('div', { class: 'graph-explorer' },
    controls,
    h('div', { class: 'graph-toolbar' },
      h('form', { class: 'graph-search-form', role: 'search', onsubmit: (e) => { e.preventDefault(); runSearch(true); } }, search, searchInfo),
      freezeBtn, relayoutBtn, unpinBtn, fitBtn, count),
    notes,
    h('div', { class: 'graph-main' }, stage, side),
  );

  let selection = null;
  let selKey = '';
  let tab = 'sent';
  let version = 0;
  let shownVersion = -1;
  let sideRO = null;

  const viewer = createGraphViewer(stageHost, {
    onSelect: (sel) => onSelect && onSelect(sel),
    onPinChange: () => {
      unpinBtn.disabled = viewer.pinnedCount === 0;
      unpinBtn.textContent = viewer.pinnedCount ? `Unpin all (${viewer.pinnedCount})` : 'Unpin all';
      if (selection && selection.type === 'node') {
        const b = side.querySelector('[data-testid=side-pin]');
        if (b) {
          const on = viewer.isPinned(selection.id);
          b.textContent = on ? 'Unpin' : 'Pin';
          b.setAttribute('aria-pressed', String(on));
        }
      }
    },
  });

  function runSearch(fromEnter) {
    const q = search.value.trim();
    if (!q) {
      viewer.clearSearch();
      searchInfo.textContent = '';
      return;
    }
    const ids = viewer.search(q);
    searchInfo.textContent = ids.length ? `${fmtInt(ids.length)} match${ids.length === 1 ? '' : 'es'}` : 'no match';
    if (fromEnter && ids.length === 1) onSelect && onSelect({ type: 'node', id: ids[0] });
  }
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => runSearch(false), 200);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      search.value = '';
      runSearch(false);
    }
  });
  freezeBtn.addEventListener('click', () => {
    const on = !viewer.frozen;
    viewer.setFrozen(on);
    syncFreeze();
  });
  function syncFreeze() {
    freezeBtn.textContent = viewer.frozen ? 'Unfreeze' : 'Freeze';
    freezeBtn.setAttribute('aria-pressed', String(viewer.frozen));
    freezeBtn.classList.toggle('active', viewer.frozen);
  }
  relayoutBtn.addEventListener('click', () => {
    const ms = viewer.relayout();
    syncFreeze();
    const hk = hooks();
    if (hk.graph) hk.graph = { ...hk.graph, layoutMs: Math.round(ms) };
  });
  unpinBtn.addEventListener('click', () => viewer.unpinAll());
  fitBtn.addEventListener('click', () => viewer.fit());

  const onKey = (e) => {
    if (e.key === 'Escape' && selection && !(e.target instanceof HTMLInputElement)) onSelect && onSelect(null);
  };
  document.addEventListener('keydown', onKey);

  function renderSide() {
    renderSidePanel(side, {
      sel: selection,
      model: viewer.model,
      tab,
      flows,
      viewer,
      onSelect: (s) => onSelect && onSelect(s),
      onClose: () => onSelect && onSelect(null),
      onTab: (t) => {
        tab = t;
        onTab && onTab(t);
      },
    });
  }

  // The canvas shrinks when the side panel opens.
  const ro = new ResizeObserver(() => viewer.resize());
  ro.observe(stageHost);
  sideRO = ro;

  return {
    el,
    viewer,
    /** Shows a status over the canvas (loading, error, empty); null hides it. */
    setStatus(text, kind = 'info') {
      if (!text) {
        status.hidden = true;
        return;
      }
      status.hidden = false;
      status.className = `graph-status graph-status-${kind}`;
      status.textContent = text;
    },
    setNotes(list) {
      replace(notes, ...(list || []).map((n) => h('div', { class: `graph-note${n.kind ? ` graph-note-${n.kind}` : ''}` }, n.text || n)));
      notes.hidden = !(list && list.length);
    },
    /** Draws data; returns {nodes, edges, layoutMs}. Sets the test hooks. */
    setData(data, { weight } = {}) {
      document.body.dataset.graph = 'loading';
      const r = viewer.setData(data, { weight });
      version++;
      count.dataset.nodes = String(r.nodes);
      count.dataset.edges = String(r.edges);
      const shown = data.shown && data.totals && data.totals.flows ? ` · ${fmtBytes(data.shown.bytes)} shown` : '';
      count.textContent = `${fmtInt(r.nodes)} nodes · ${fmtInt(r.edges)} edges${r.compounds ? ` · ${fmtInt(r.compounds)} groups` : ''}${shown}`;
      unpinBtn.disabled = true;
      unpinBtn.textContent = 'Unpin all';
      syncFreeze();
      if (search.value.trim()) runSearch(false);
      const hk = hooks();
      hk.cy = viewer.cy;
      hk.graph = { nodes: r.nodes, edges: r.edges, layoutMs: Math.round(r.layoutMs), totalMs: Math.round(r.totalMs) };
      document.body.dataset.graph = 'ready';
      return r;
    },
    /** Shows sel in the side panel (and selects it on the canvas). */
    setSelection(sel, { center = false, tab: t } = {}) {
      const key = sel ? JSON.stringify(sel) : '';
      if (key === selKey && (!t || t === tab) && shownVersion === version) return;
      selKey = key;
      shownVersion = version;
      if (t) tab = t;
      selection = sel;
      // The panel first (it narrows the canvas), then the canvas selection.
      // A stale selection (a link to a node the filters removed) shows a
      // "not found" panel.
      renderSide();
      viewer.resize();
      viewer.select(sel, { center });
    },
    get selection() {
      return selection;
    },
    destroy() {
      clearTimeout(searchTimer);
      document.removeEventListener('keydown', onKey);
      if (sideRO) sideRO.disconnect();
      viewer.destroy();
      delete document.body.dataset.graph;
    },
  };
}
