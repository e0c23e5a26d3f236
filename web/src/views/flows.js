// The flows view (#/flows): a paginated raw-flow table with downloads.

import { h, replace } from '../dom.js';
import { apiGet, apiUrl, isAbort, table } from '../api.js';
import { addCondition, changed, FILTER_KEYS } from '../state.js';
import { fmtInt } from '../format.js';
import { renderDataTable } from '../components/datatable.js';

export const LIMITS = ['50', '100', '500', '1000'];
export const FLOWS_DEFAULTS = { limit: '100', order: 'desc', offset: '0' };
export const DOWNLOAD_LIMIT = 100000;

/** The /api/v1/flows parameters (page) of the view's params. */
export function flowsQuery(params) {
  const limit = LIMITS.includes(params.limit) ? params.limit : FLOWS_DEFAULTS.limit;
  const order = params.order === 'asc' ? 'asc' : 'desc';
  const offset = Math.max(0, parseInt(params.offset || '0', 10) || 0);
  return { limit: Number(limit), order, offset };
}

/** ctx: {notices, go(view, params, opts), apiFilters(params)} */
export function createFlowsView(ctx) {
  let current = {};
  let controller = null;

  const limitSel = h('select', { class: 'input input-sm', 'data-testid': 'flows-limit', 'aria-label': 'Rows per page' }, LIMITS.map((l) => h('option', { value: l }, l)));
  const orderSel = h('select', { class: 'input input-sm', 'data-testid': 'flows-order', 'aria-label': 'Order' }, h('option', { value: 'desc' }, 'newest first'), h('option', { value: 'asc' }, 'oldest first'));
  const prevBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'flows-prev' }, '← Prev');
  const nextBtn = h('button', { type: 'button', class: 'btn btn-sm', 'data-testid': 'flows-next' }, 'Next →');
  const rowCount = h('span', { class: 'muted small', 'data-testid': 'flows-count', 'aria-live': 'polite' });
  const csv = h('a', { class: 'btn btn-sm', 'data-testid': 'download-csv', download: 'flows.csv', title: `Download up to ${fmtInt(DOWNLOAD_LIMIT)} flows of this query as CSV` }, 'CSV');
  const json = h('a', { class: 'btn btn-sm', 'data-testid': 'download-json', download: 'flows.json', title: `Download up to ${fmtInt(DOWNLOAD_LIMIT)} flows of this query as JSON` }, 'JSON');
  const body = h('div', { class: 'flows-body', 'data-state': 'loading' });
  const el = h('div', { class: 'flows-view', 'data-testid': 'flows-view' },
    h('div', { class: 'flows-toolbar' },
      h('label', { class: 'ctl' }, h('span', { class: 'ctl-label' }, 'Rows'), limitSel),
      h('label', { class: 'ctl' }, h('span', { class: 'ctl-label' }, 'Order'), orderSel),
      prevBtn, nextBtn, rowCount,
      h('span', { class: 'spacer' }),
      h('span', { class: 'muted small' }, 'Download:'), csv, json,
    ),
    body,
  );

  const go = (patch) => ctx.go('flows', { ...current, ...patch });
  limitSel.addEventListener('change', () => go({ limit: limitSel.value, offset: '' }));
  orderSel.addEventListener('change', () => go({ order: orderSel.value === FLOWS_DEFAULTS.order ? '' : orderSel.value, offset: '' }));
  prevBtn.addEventListener('click', () => {
    const q = flowsQuery(current);
    const off = Math.max(0, q.offset - q.limit);
    go({ offset: off ? String(off) : '' });
  });
  let nextOffset = null;
  nextBtn.addEventListener('click', () => {
    if (nextOffset != null) go({ offset: String(nextOffset) });
  });

  function load() {
    if (controller) controller.abort();
    controller = new AbortController();
    const q = flowsQuery(current);
    const f = ctx.apiFilters(current);
    limitSel.value = String(q.limit);
    orderSel.value = q.order;
    prevBtn.disabled = q.offset === 0;
    nextBtn.disabled = true;
    csv.href = apiUrl('flows', { ...f, order: q.order, limit: DOWNLOAD_LIMIT, output: 'csv' }, { withToken: true });
    json.href = apiUrl('flows', { ...f, order: q.order, limit: DOWNLOAD_LIMIT, output: 'json' }, { withToken: true });
    body.dataset.state = 'loading';
    body.classList.add('is-loading');
    if (!body.firstChild) replace(body, h('div', { class: 'muted small pad' }, h('span', { class: 'spinner' }), ' Loading flows…'));
    rowCount.textContent = 'Loading…';
    ctx.notices.clear('Flows');
    apiGet('flows', { ...f, ...q }, { signal: controller.signal }).then(({ data, warnings }) => {
      ctx.notices.warn('Flows', warnings);
      const t = table(data, 'flows');
      const rows = (t && t.rows) || [];
      const page = data.page || {};
      nextOffset = page.has_more ? page.next_offset : null;
      nextBtn.disabled = nextOffset == null;
      body.classList.remove('is-loading');
      rowCount.textContent = rows.length
        ? `Rows ${fmtInt(q.offset + 1)}–${fmtInt(q.offset + rows.length)}${page.has_more ? ' (more)' : ' (end)'}`
        : q.offset ? 'No more rows' : 'No flows';
      if (!rows.length) {
        body.dataset.state = 'empty';
        replace(body, h('div', { class: 'panel-empty muted' }, 'No flows match this time range and filter.'),
          renderDataTable({ columns: (t && t.columns) || [], rows: [], testid: 'flows-table' }));
        return;
      }
      body.dataset.state = 'ready';
      replace(body, h('div', { class: 'table-scroll' }, renderDataTable({
        columns: t.columns,
        rows,
        testid: 'flows-table',
        onAddress: (name, value) => ctx.go('flows', { ...current, where: addCondition(current.where, `${name}=${value}`), offset: '' }),
      })));
    }, (err) => {
      if (isAbort(err)) return;
      ctx.notices.error('Flows', err);
      body.classList.remove('is-loading');
      body.dataset.state = 'error';
      rowCount.textContent = '';
      replace(body, h('div', { class: 'panel-empty pad' }, 'No rows: the query failed (the message is above).'));
    });
  }

  return {
    el,
    update(params, prev, { statusChanged } = {}) {
      current = params;
      if (!prev || statusChanged || changed(params, prev, [...FILTER_KEYS, 'limit', 'order', 'offset'])) load();
    },
    destroy() {
      if (controller) controller.abort();
    },
  };
}
