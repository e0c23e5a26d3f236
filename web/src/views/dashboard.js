// The dashboard: a grid of panels fed by parallel API calls.

import { h } from '../dom.js';
import { apiGet, table, isAbort } from '../api.js';
import { changed, FILTER_KEYS, mergeWhere, filtersOf } from '../state.js';
import { hooks } from '../hooks.js';
import { createPanel } from '../components/panel.js';
import { createTimeChart } from '../charts/timeseries.js';
import { renderHeatmap } from '../charts/heatmap.js';
import { renderSankey } from '../charts/sankey.js';
import { renderTotals, renderActions, renderTopAddresses, renderTopPorts, renderProtocols } from './dashboard-panels.js';

const HEAT_METRICS = ['bytes', 'packets', 'flows'];

/**
 * ctx: {notices, go(view, params, opts), apiFilters(params)}
 */
export function createDashboard(ctx) {
  const P = {
    totals: createPanel({ testid: 'panel-totals', title: 'Totals', className: 'span-2' }),
    actions: createPanel({ testid: 'panel-actions', title: 'Accepted / rejected' }),
    timeseries: createPanel({ testid: 'panel-timeseries', title: 'Traffic over time', subtitle: 'UTC', className: 'span-2' }),
    rejected: createPanel({ testid: 'panel-rejected', title: 'Rejected flows over time', subtitle: 'UTC' }),
    topSrc: createPanel({ testid: 'panel-top-src', title: 'Top sources', subtitle: 'by bytes' }),
    topDst: createPanel({ testid: 'panel-top-dst', title: 'Top destinations', subtitle: 'by bytes' }),
    protocols: createPanel({ testid: 'panel-protocols', title: 'Protocols', subtitle: 'by bytes' }),
    topDstport: createPanel({ testid: 'panel-top-dstport', title: 'Top destination ports', subtitle: 'by bytes' }),
    topSrcport: createPanel({ testid: 'panel-top-srcport', title: 'Top source ports', subtitle: 'by bytes' }),
    heatmap: null,
    sankey: createPanel({ testid: 'panel-sankey', title: 'Top conversations', subtitle: 'top 20 source → destination pairs by bytes; click a link for its flows', className: 'span-all' }),
  };
  const heatSel = h('select', { class: 'input input-sm', 'data-testid': 'heatmap-metric', 'aria-label': 'Heat map metric' }, HEAT_METRICS.map((m) => h('option', { value: m }, m)));
  P.heatmap = createPanel({ testid: 'panel-heatmap', title: 'Weekday × hour', subtitle: 'UTC', tools: heatSel });
  heatSel.addEventListener('change', () => ctx.go('dashboard', { ...current, hm: heatSel.value === 'bytes' ? '' : heatSel.value }));

  const el = h('div', { class: 'dashboard', 'data-testid': 'dashboard' },
    P.totals.el, P.actions.el, P.timeseries.el, P.rejected.el,
    P.topSrc.el, P.topDst.el, P.protocols.el,
    P.topDstport.el, P.topSrcport.el, P.heatmap.el,
    P.sankey.el,
  );

  const tsChart = createTimeChart(P.timeseries.body, {
    series: [
      { label: 'Bytes', field: 'bytes', color: '#2563eb', unit: 'bytes', axis: 'left', fill: 'rgba(37,99,235,0.08)' },
      { label: 'Packets', field: 'packets', color: '#d97706', unit: 'count', axis: 'right' },
    ],
  });
  const rejChart = createTimeChart(P.rejected.body, {
    series: [{ label: 'Rejected flows', field: 'flows', color: '#d64545', unit: 'count', axis: 'left', fill: 'rgba(214,69,69,0.12)' }],
  });

  let current = {};
  let controller = null;
  let heatController = null;
  let lastHeat = null;
  let lastPairs = null;

  const toFlows = (cond) => ctx.go('flows', { ...filtersOf(current), where: mergeWhere(current.where, cond) });

  function run(panels, request, render) {
    for (const p of panels) p.setState('loading');
    return request().then(
      ({ data, warnings }) => {
        ctx.notices.warn(`Dashboard:${panels[0].el.dataset.testid}`, warnings);
        const states = render(data);
        panels.forEach((p, i) => {
          const st = Array.isArray(states) ? states[i] : states;
          p.setState(st);
        });
      },
      (err) => {
        if (isAbort(err)) throw err;
        ctx.notices.error('Dashboard', err);
        for (const p of panels) p.setState('error', err.message);
      },
    ).catch((err) => {
      if (isAbort(err)) throw err;
      // A render failure (bad data): show it, do not crash the page.
      ctx.notices.error('Dashboard', err);
      for (const p of panels) p.setState('error', `cannot render: ${err.message}`);
      for (const p of panels) p.el.querySelector('.panel-error').textContent = `Cannot render: ${err.message}`;
    });
  }

  function loadHeatmap(signal) {
    const metric = HEAT_METRICS.includes(current.hm) ? current.hm : 'bytes';
    heatSel.value = metric;
    return run([P.heatmap], () => apiGet('heatmap', { ...ctx.apiFilters(current), metric }, { signal }), (data) => {
      const t = table(data, 'heat_map');
      const rows = (t && t.rows) || [];
      if (!rows.length || rows.every((r) => !r.total)) return 'empty';
      lastHeat = { rows, metric };
      renderHeatmap(P.heatmap.body, rows, metric);
      return 'ready';
    });
  }

  function loadAll() {
    if (controller) controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    const f = ctx.apiFilters(current);
    const get = (path, extra = {}) => () => apiGet(path, { ...f, ...extra }, { signal });
    document.body.dataset.dashboard = 'loading';
    ctx.notices.clear('Dashboard');

    const jobs = [
      run([P.totals], get('summary'), (d) => renderTotals(P.totals.body, d)),
      run([P.actions], get('breakdown'), (d) => renderActions(P.actions.body, d)),
      run([P.timeseries, P.rejected], get('timeseries'), (d) => {
        const ts = table(d, 'time_series');
        const rj = table(d, 'rejected_time_series');
        const bucket = d.bucket ? `${d.bucket} buckets, UTC` : 'UTC';
        P.timeseries.setSubtitle(bucket);
        P.rejected.setSubtitle(bucket);
        const out = [];
        if (ts && ts.rows.some((r) => r.flows)) {
          tsChart.setRows(ts.rows);
          out.push('ready');
        } else out.push('empty');
        if (rj && rj.rows.length) {
          rejChart.setRows(rj.rows);
          out.push(rj.rows.some((r) => r.flows) ? 'ready' : 'empty');
        } else out.push('empty');
        // An empty rejected chart still shows its zero line.
        return out;
      }),
      run([P.topSrc], get('top', { by: 'src', limit: 10 }), (d) => renderTopAddresses(P.topSrc.body, d, { by: 'src', onRow: toFlows })),
      run([P.topDst], get('top', { by: 'dst', limit: 10 }), (d) => renderTopAddresses(P.topDst.body, d, { by: 'dst', onRow: toFlows })),
      run([P.topDstport], get('top', { by: 'dstport', limit: 10 }), (d) => renderTopPorts(P.topDstport.body, d, { by: 'dstport', onRow: toFlows })),
      run([P.topSrcport], get('top', { by: 'srcport', limit: 10 }), (d) => renderTopPorts(P.topSrcport.body, d, { by: 'srcport', onRow: toFlows })),
      run([P.protocols], get('top', { by: 'protocol', limit: 10 }), (d) => renderProtocols(P.protocols.body, d, { onRow: toFlows })),
      loadHeatmap(signal),
      run([P.sankey], get('top', { by: 'pair', limit: 20 }), (d) => {
        const rows = (d.tables && d.tables[0] && d.tables[0].rows) || [];
        if (!rows.length) return 'empty';
        lastPairs = rows;
        drawSankey();
        return 'ready';
      }),
    ];
    Promise.allSettled(jobs).then((results) => {
      if (signal.aborted || results.some((r) => r.status === 'rejected' && isAbort(r.reason))) return;
      const hk = hooks();
      hk.dashboardRenderMs = performance.now();
      document.body.dataset.dashboard = 'ready';
    });
  }

  function drawSankey() {
    if (!lastPairs) return;
    renderSankey(P.sankey.body, lastPairs, {
      onLink: (r) => toFlows(`srcaddr=${r.srcaddr},dstaddr=${r.dstaddr}`),
      onNode: (n) => toFlows(`${n.side === 'src' ? 'srcaddr' : 'dstaddr'}=${n.name}`),
    });
  }

  // Width-dependent SVG charts are redrawn on resize.
  let resizeTimer = 0;
  let lastWidth = 0;
  const ro = new ResizeObserver(() => {
    const w = el.clientWidth;
    if (Math.abs(w - lastWidth) < 4) return;
    lastWidth = w;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (lastHeat && P.heatmap.el.dataset.state === 'ready') renderHeatmap(P.heatmap.body, lastHeat.rows, lastHeat.metric);
      if (lastPairs && P.sankey.el.dataset.state === 'ready') drawSankey();
    }, 150);
  });

  return {
    el,
    mounted() {
      lastWidth = el.clientWidth;
      ro.observe(el);
    },
    update(params, prev, { statusChanged } = {}) {
      const first = !prev;
      current = params;
      if (first || statusChanged || changed(params, prev, FILTER_KEYS)) {
        loadAll();
      } else if (changed(params, prev, ['hm'])) {
        if (heatController) heatController.abort();
        heatController = new AbortController();
        document.body.dataset.dashboard = 'loading';
        loadHeatmap(heatController.signal).then(() => {
          hooks().dashboardRenderMs = performance.now();
          document.body.dataset.dashboard = 'ready';
        }, () => {});
      }
    },
    destroy() {
      if (controller) controller.abort();
      if (heatController) heatController.abort();
      ro.disconnect();
      clearTimeout(resizeTimer);
      tsChart.destroy();
      rejChart.destroy();
      delete document.body.dataset.dashboard;
    },
  };
}
