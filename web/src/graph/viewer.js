// The interactive graph: cytoscape + fcose, hover highlighting, selection,
// search, pinning, freeze and re-layout. Shared by the app's graph view
// and the standalone viewer.
//
// cytoscape is created on the first setData: its container must be in the
// document by then (a detached container has no size).

import cytoscape from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { h } from '../dom.js';
import { buildModel, searchNodes, findEdge } from './elements.js';
import { graphStyle, LAYOUT_STYLE } from './style.js';
import { fcoseOptions, seedPositions } from './layout.js';
import { fmtBytes, fmtInt } from '../format.js';

// cytoscape's dirtyStyleCache, in a graph with compound nodes, builds four
// collections (self, descendants, parents, their edges) for every style
// property applied to every element: most of the time of the first style
// pass and of each hover (which restyles every element) on our graphs with
// containers. This version clears the same derived-state caches without
// allocating: the element, a container's descendants, and the edges of
// every node touched (an edge's visibility follows its endpoints). A
// container's own cached state does not depend on its children, so parents
// are left alone. Checked by scripts/smoke.mjs (hover and selection).
function patchDirtyStyleCache() {
  const proto = Object.getPrototypeOf(cytoscape({ headless: true }).collection());
  if (!proto || proto.__flowlensPatched || typeof proto.dirtyStyleCache !== 'function') return;
  const clearNode = (n) => {
    n._private.styleCache = null;
    const edges = n._private.edges;
    if (edges) for (let j = 0; j < edges.length; j++) edges[j]._private.styleCache = null;
  };
  proto.dirtyStyleCache = function dirtyStyleCache() {
    for (let i = 0; i < this.length; i++) {
      const ele = this[i];
      if (!ele.isNode()) {
        ele._private.styleCache = null;
        continue;
      }
      clearNode(ele);
      const children = ele._private.children;
      if (children && children.length) ele.descendants().forEach(clearNode);
    }
    return this;
  };
  proto.__flowlensPatched = true;
}

const HOVER_DELAY_MS = 60;

let registered = false;
function register() {
  if (!registered) {
    patchDirtyStyleCache();
    cytoscape.use(fcose);
    // Its warnings (e.g. an edge between two overlapping nodes cannot be
    // drawn) are expected in dense graphs: keep the console clean.
    cytoscape.warnings(false);
    registered = true;
  }
}

/**
 * createGraphViewer(container, {onSelect(sel|null), onPinChange()})
 * sel: {type: 'node', id} | {type: 'edge', src, dst}
 */
export function createGraphViewer(container, { onSelect, onPinChange } = {}) {
  register();
  const tip = h('div', { class: 'graph-tip', hidden: true });
  const canvas = h('div', { class: 'graph-canvas', 'data-testid': 'graph-canvas' });
  container.append(canvas, tip);

  let cy = null;
  let model = null;
  let frozen = false;
  let searchIds = [];
  const pinned = new Set();

  function create() {
    cy = cytoscape({
      container: canvas,
      elements: [],
      style: graphStyle(),
      minZoom: 0.03,
      maxZoom: 5,
      boxSelectionEnabled: false,
      selectionType: 'single',
      motionBlur: false,
      textureOnViewport: false,
      hideEdgesOnViewport: false,
      pixelRatio: 'auto',
    });
    listen();
  }

  // Hover: highlight the element, its edges and neighbours; fade the rest.
  function hover(ele) {
    cy.batch(() => {
      cy.elements().addClass('faded');
      const hood = ele.isNode() ? ele.closedNeighborhood() : ele.union(ele.connectedNodes());
      hood.removeClass('faded').addClass('hl');
      hood.ancestors().removeClass('faded');
      if (ele.isNode()) ele.addClass('hover');
    });
    refreshFocus();
  }
  function unhover() {
    cy.batch(() => {
      cy.elements().removeClass('faded hl hover');
      if (searchIds.length) applySearchClasses();
    });
    refreshFocus();
  }

  let hoverTimer = 0;
  let hovered = null;
  function hoverSoon(ele) {
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(() => {
      if (!cy || ele.removed()) return;
      hovered = ele;
      hover(ele);
    }, HOVER_DELAY_MS);
  }
  function hoverEnd() {
    clearTimeout(hoverTimer);
    if (hovered) {
      hovered = null;
      unhover();
    }
  }

  function showTip(ev, lines) {
    tip.hidden = false;
    tip.replaceChildren(...lines.map((l, i) => h('div', { class: i === 0 ? 'tip-title' : '' }, l)));
    const p = ev.renderedPosition || { x: 0, y: 0 };
    const w = canvas.clientWidth;
    tip.style.left = `${Math.max(4, Math.min(p.x + 14, w - 250))}px`;
    tip.style.top = `${p.y + 14}px`;
  }
  function hideTip() {
    tip.hidden = true;
  }

  // Labels of focused nodes (hovered, selected, search matches) stay
  // readable at any zoom: their font size is set against the zoom.
  const FOCUS = 'node:selected, node.match, node.hover';
  let focusRaf = 0;
  function refreshFocus() {
    if (!cy) return;
    const z = cy.zoom();
    const fs = Math.max(10, Math.min(120, 12 / z));
    const ow = Math.max(2, 2.5 / z);
    // The heaviest nodes keep readable labels too (a little smaller).
    const mfs = Math.max(10, Math.min(100, 10.5 / z));
    cy.batch(() => {
      cy.nodes('.focus').forEach((n) => {
        if (!n.is(FOCUS)) {
          n.removeClass('focus');
          if (n.hasClass('major')) n.style({ 'font-size': mfs, 'text-outline-width': ow });
          else n.removeStyle('font-size text-outline-width');
        }
      });
      cy.nodes('.major').forEach((n) => {
        if (!n.hasClass('focus')) n.style({ 'font-size': mfs, 'text-outline-width': ow });
      });
      cy.nodes(FOCUS).forEach((n) => {
        if (n.data('container')) return;
        n.addClass('focus');
        n.style({ 'font-size': fs, 'text-outline-width': ow });
      });
    });
  }
  function scheduleFocus() {
    cancelAnimationFrame(focusRaf);
    focusRaf = requestAnimationFrame(refreshFocus);
  }

  function listen() {
    cy.on('zoom select unselect', scheduleFocus);
    // Highlighting restyles every element: it waits until the pointer
    // rests on an element, so that sweeping across the graph stays smooth.
    cy.on('mouseover', 'node', (ev) => {
      const n = ev.target;
      if (n.data('container')) return;
      hoverSoon(n);
      const raw = model && model.nodes.get(n.id());
      if (raw) showTip(ev, [raw.label || raw.id, `${fmtBytes(raw.totals && raw.totals.bytes)} · ${fmtInt(raw.totals && raw.totals.flows)} flows`]);
    });
    cy.on('mouseout', 'node', (ev) => {
      if (ev.target.data('container')) return;
      hoverEnd();
      hideTip();
    });
    cy.on('mouseover', 'edge', (ev) => {
      const e = ev.target;
      hoverSoon(e);
      const raw = model && findEdge(model, e.source().id(), e.target().id());
      if (raw) {
        const lines = [`${raw.src} → ${raw.dst}`, `${fmtBytes(raw.bytes)} · ${fmtInt(raw.flows)} flows`];
        if (raw.rejected && raw.rejected.flows) lines.push(`${fmtInt(raw.rejected.flows)} rejected flows`);
        showTip(ev, lines);
      }
    });
    cy.on('mouseout', 'edge', () => {
      hoverEnd();
      hideTip();
    });
    cy.on('viewport', hideTip);
    cy.on('tap', 'node', (ev) => {
      const n = ev.target;
      if (n.data('container')) return;
      onSelect && onSelect({ type: 'node', id: n.id() });
    });
    cy.on('tap', 'edge', (ev) => {
      const e = ev.target;
      onSelect && onSelect({ type: 'edge', src: e.source().id(), dst: e.target().id() });
    });
    cy.on('tap', (ev) => {
      if (ev.target === cy) onSelect && onSelect(null);
    });
    // Dragging a node pins it where it is dropped.
    cy.on('dragfree', 'node', (ev) => {
      const n = ev.target;
      if (n.data('container')) return;
      setPinned(n.id(), true);
    });
    cy.on('dbltap', 'node', (ev) => {
      const n = ev.target;
      if (!n.data('container') && pinned.has(n.id())) setPinned(n.id(), false);
    });
  }

  function setPinned(id, on) {
    if (!cy) return;
    const n = cy.getElementById(id);
    if (!n.length) return;
    if (on) {
      pinned.add(id);
      n.addClass('pinned');
      n.lock();
    } else {
      pinned.delete(id);
      n.removeClass('pinned');
      if (!frozen) n.unlock();
    }
    onPinChange && onPinChange();
  }

  // fcose runs on a headless copy with only the styles that matter to the
  // layout (sizes, compound padding): the full stylesheet and the renderer
  // stay out of its loop. It starts from cheap seeded positions (containers
  // on a grid, their nodes around them) and runs incrementally: fcose's
  // spectral phase is skipped, which halves the time on graphs with
  // containers, for as good a result. Positions are then copied in one batch.
  let layoutSeed = 0;
  function layout() {
    if (!cy || !model) return 0;
    const nodes = cy.nodes().length;
    const edges = cy.edges().length;
    if (!nodes) return 0;
    const t0 = performance.now();
    const seeds = seedPositions(model.elements, ++layoutSeed);
    const fixed = [];
    const elements = model.elements.map((e) => {
      const el = { group: e.group, data: { ...e.data }, classes: e.classes };
      const id = e.data.id;
      if (pinned.has(id)) {
        const p = cy.getElementById(id).position();
        el.position = { x: p.x, y: p.y };
        fixed.push({ nodeId: id, position: { x: p.x, y: p.y } });
      } else if (seeds.has(id)) {
        el.position = seeds.get(id);
      }
      return el;
    });
    const lcy = cytoscape({ headless: true, styleEnabled: true, elements, style: LAYOUT_STYLE, layout: { name: 'preset' } });
    lcy.layout(fcoseOptions(nodes, edges, { fixed, randomize: false })).run();
    const ms = performance.now() - t0;
    const pos = new Map();
    lcy.nodes().forEach((n) => {
      if (!n.isParent()) pos.set(n.id(), n.position());
    });
    lcy.destroy();
    cy.batch(() => {
      cy.nodes().forEach((n) => {
        const p = pos.get(n.id());
        if (p && !n.isParent() && !n.locked()) n.position({ x: p.x, y: p.y });
      });
    });
    cy.fit(undefined, 24);
    refreshFocus();
    return ms;
  }

  function applySearchClasses() {
    cy.batch(() => {
      cy.nodes().removeClass('match');
      if (!searchIds.length) return;
      cy.elements().addClass('faded');
      for (const id of searchIds) {
        const n = cy.getElementById(id);
        n.removeClass('faded').addClass('match');
        n.ancestors().removeClass('faded');
      }
    });
    refreshFocus();
  }

  return {
    get cy() {
      return cy;
    },
    get model() {
      return model;
    },
    /** Replaces the graph; returns {nodes, edges, compounds, layoutMs}. */
    setData(data, { weight } = {}) {
      const t0 = performance.now();
      if (!cy) create();
      model = buildModel(data, { weight });
      searchIds = [];
      pinned.clear();
      frozen = false;
      cy.batch(() => {
        cy.elements().remove();
        cy.add(model.elements);
      });
      // Big graphs: draw edges only when the view is still (smooth pan/zoom).
      cy.renderer().hideEdgesOnViewport = model.counts.edges > 3000;
      const layoutMs = layout();
      // totalMs: model, elements, styles, layout and fit (not the paint).
      return { nodes: model.counts.nodes, edges: model.counts.edges, compounds: model.counts.compounds, layoutMs, totalMs: performance.now() - t0 };
    },
    /** Selects (and optionally centers on) sel; returns the element or null. */
    select(sel, { center = false } = {}) {
      if (!cy) return null;
      cy.elements(':selected').unselect();
      if (!sel || !model) return null;
      let ele = null;
      if (sel.type === 'node') ele = cy.getElementById(sel.id);
      else {
        const e = findEdge(model, sel.src, sel.dst);
        if (e) ele = cy.getElementById(String(sel.src)).edgesTo(cy.getElementById(String(sel.dst)));
      }
      if (!ele || !ele.length) return null;
      ele.select();
      if (center) {
        cy.animate({ center: { eles: ele }, zoom: Math.max(cy.zoom(), 0.8) }, { duration: 250 });
      } else {
        // Keep the selection in view (the side panel narrows the canvas).
        const bb = ele.renderedBoundingBox();
        const x = (bb.x1 + bb.x2) / 2;
        const y = (bb.y1 + bb.y2) / 2;
        if (x < 20 || y < 20 || x > cy.width() - 20 || y > cy.height() - 20) cy.animate({ center: { eles: ele } }, { duration: 250 });
      }
      return ele;
    },
    /** Highlights, selects and centers nodes matching q; returns their ids. */
    search(q) {
      if (!cy || !model) return [];
      searchIds = searchNodes(model, q);
      cy.batch(() => cy.elements().removeClass('faded hl hover'));
      applySearchClasses();
      if (searchIds.length) {
        const eles = cy.collection(searchIds.map((id) => cy.getElementById(id)));
        cy.elements(':selected').unselect();
        eles.select();
        if (eles.length === 1) cy.animate({ center: { eles }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 250 });
        else cy.animate({ fit: { eles, padding: 60 } }, { duration: 250 });
      }
      return searchIds;
    },
    clearSearch() {
      searchIds = [];
      if (cy) cy.batch(() => cy.elements().removeClass('faded match'));
      refreshFocus();
    },
    /** Freeze locks every node; unfreeze unlocks all but the pinned ones. */
    setFrozen(on) {
      frozen = on;
      if (!cy) return;
      cy.batch(() => {
        if (on) cy.nodes().lock();
        else cy.nodes().forEach((n) => {
          if (!pinned.has(n.id())) n.unlock();
        });
      });
    },
    get frozen() {
      return frozen;
    },
    relayout() {
      if (frozen) this.setFrozen(false);
      return layout();
    },
    setPinned,
    isPinned: (id) => pinned.has(id),
    get pinnedCount() {
      return pinned.size;
    },
    unpinAll() {
      for (const id of [...pinned]) setPinned(id, false);
    },
    fit() {
      if (cy) cy.animate({ fit: { eles: cy.elements(), padding: 24 } }, { duration: 200 });
    },
    resize() {
      if (cy) cy.resize();
    },
    destroy() {
      cancelAnimationFrame(focusRaf);
      clearTimeout(hoverTimer);
      if (cy) cy.destroy();
      cy = null;
    },
  };
}
