// The flowlens web app: shell (nav, store status, filter bar, notices),
// hash router and token handling.

import './styles/base.css';
import './styles/app.css';
import './styles/graph.css';
import { h, replace } from './dom.js';
import { hooks } from './hooks.js';
import { captureToken, setToken, currentToken } from './token.js';
import { apiGet, onUnauthorized } from './api.js';
import { parseHash, buildHash, filtersOf, FILTER_KEYS, VIEWS } from './state.js';
import { filterQuery } from './timerange.js';
import { fmtInt, fmtTime } from './format.js';
import { createFilterBar } from './filters.js';
import { createNotices } from './notices.js';
import { createDashboard } from './views/dashboard.js';
import { createGraphView } from './views/graph.js';
import { createFlowsView } from './views/flows.js';

const VIEW_TITLES = { dashboard: 'Dashboard', graph: 'Graph', flows: 'Flows' };
const FACTORIES = { dashboard: createDashboard, graph: createGraphView, flows: createFlowsView };

const hk = hooks();
captureToken();

let status = null;
let active = null; // {name, view, params}

const notices = createNotices();
const navLinks = Object.fromEntries(VIEWS.map((v) => [v, h('a', { class: 'nav-link', href: `#/${v}`, 'data-testid': `nav-${v}` }, VIEW_TITLES[v])]));
const storeStatus = h('div', { class: 'store-status muted small', 'data-testid': 'store-status' }, 'Connecting…');
const filterBar = createFilterBar({
  onApply: (f) => {
    const { params } = parseHash(location.hash);
    const keep = {};
    for (const [k, v] of Object.entries(params)) if (!FILTER_KEYS.includes(k) && k !== 'offset') keep[k] = v;
    go(active ? active.name : 'dashboard', { ...keep, ...f });
  },
  onReset: () => {
    const { params } = parseHash(location.hash);
    const keep = {};
    for (const [k, v] of Object.entries(params)) if (!FILTER_KEYS.includes(k) && k !== 'offset') keep[k] = v;
    go(active ? active.name : 'dashboard', keep);
  },
});
const tokenBox = h('div', { class: 'token-box', hidden: true });
const main = h('main', { class: 'main', id: 'main' });

replace(document.getElementById('app'),
  h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/dashboard', title: 'flowlens' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'flowlens'),
    h('nav', { class: 'nav', 'aria-label': 'Views' }, Object.values(navLinks)),
    storeStatus,
  ),
  h('div', { class: 'filters-row' }, filterBar.el),
  tokenBox,
  notices.el,
  main,
);

/** Navigates to view with params (pushes a history entry unless replace). */
function go(view, params, { replace: rep = false } = {}) {
  const clean = {};
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== '') clean[k] = v;
  const hash = buildHash(view, clean);
  if (hash === location.hash) return;
  if (rep) {
    history.replaceState(history.state, '', location.pathname + location.search + hash);
    route();
  } else {
    location.hash = hash;
  }
}

const ctx = {
  notices,
  go,
  status: () => status,
  apiFilters: (params) => filterQuery(params, status && status.store && status.store.last),
};

function describeStatus(s) {
  if (!s) return 'No status';
  const parts = [];
  if (s.store) {
    parts.push(h('span', { 'data-testid': 'store-records', 'data-value': String(s.store.records) }, `${fmtInt(s.store.records)} flows`));
    parts.push(h('span', null, `${fmtTime(s.store.first, { utc: false, seconds: false })} → ${fmtTime(s.store.last, { seconds: false })}`));
  } else {
    parts.push(h('span', null, 'no store open'));
  }
  if (s.version) parts.push(h('span', { 'data-testid': 'store-version' }, /^\d/.test(s.version) ? `v${s.version}` : s.version));
  if (s.auth) parts.push(h('span', { title: 'The API needs a token' }, '🔒'));
  return parts.flatMap((p, i) => (i ? [h('span', { class: 'sep', 'aria-hidden': 'true' }, '·'), p] : [p]));
}

async function loadStatus() {
  try {
    const { data } = await apiGet('status');
    status = data;
    replace(storeStatus, ...describeStatus(status));
    notices.clearSource('Status');
    return true;
  } catch (err) {
    if (err.status === 401) {
      // The token prompt is shown (onUnauthorized); no error notice.
      replace(storeStatus, h('span', { class: 'text-error' }, 'token needed'));
      return false;
    }
    notices.error('Status', err);
    replace(storeStatus, h('span', { class: 'text-error' }, err.status ? `status: HTTP ${err.status}` : 'server unreachable'));
    return true; // the views show their own errors (and retry on navigation)
  }
}

function route({ statusChanged = false } = {}) {
  const { view, params } = parseHash(location.hash);
  hk.view = view;
  document.body.dataset.view = view;
  document.title = `${VIEW_TITLES[view]} · flowlens`;
  for (const [v, a] of Object.entries(navLinks)) {
    a.href = buildHash(v, filtersOf(params));
    a.classList.toggle('active', v === view);
    if (v === view) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  filterBar.set(params, status && status.store && status.store.last);
  if (!active || active.name !== view) {
    if (active) {
      try {
        active.view.destroy();
      } catch (err) {
        notices.error('UI', err);
      }
    }
    notices.clear();
    const v = FACTORIES[view](ctx);
    replace(main, v.el);
    main.dataset.view = view;
    active = { name: view, view: v, params: null };
    if (v.mounted) v.mounted();
  }
  const prev = active.params;
  active.params = params;
  try {
    active.view.update(params, prev, { statusChanged });
  } catch (err) {
    notices.error('UI', err);
  }
}

// 401: ask for the token.
let prompting = false;
function showTokenPrompt() {
  if (prompting) return;
  prompting = true;
  const input = h('input', { class: 'input', type: 'password', autocomplete: 'off', placeholder: 'API token', 'data-testid': 'token-input', 'aria-label': 'API token' });
  const form = h('form', { class: 'token-form', 'data-testid': 'token-prompt', onsubmit: async (e) => {
    e.preventDefault();
    const t = input.value.trim();
    if (!t) return;
    setToken(t);
    tokenBox.hidden = true;
    prompting = false;
    notices.clear();
    if (await loadStatus()) route({ statusChanged: true });
  } },
    h('strong', null, currentToken() ? 'The API token was refused.' : 'This flowlens server needs an API token.'),
    h('span', { class: 'muted small' }, 'It is kept for this browser tab only (sessionStorage).'),
    input,
    h('button', { type: 'submit', class: 'btn btn-primary btn-sm' }, 'Use token'),
  );
  replace(tokenBox, form);
  tokenBox.hidden = false;
  input.focus();
}
onUnauthorized(showTokenPrompt);

window.addEventListener('hashchange', () => route());
// Safety net: unexpected failures are shown (and recorded), not only logged.
window.addEventListener('unhandledrejection', (e) => notices.error('UI', e.reason || 'unexpected error'));
window.addEventListener('error', (e) => {
  if (e.error) notices.error('UI', e.error);
});

(async function boot() {
  if (!location.hash || location.hash === '#' || location.hash === '#/') {
    history.replaceState(history.state, '', location.pathname + location.search + '#/dashboard');
  }
  // Without a valid token nothing else is asked: the prompt routes on success.
  if (await loadStatus()) route({ statusChanged: true });
  else {
    const { view, params } = parseHash(location.hash);
    hk.view = view;
    document.body.dataset.view = view;
    filterBar.set(params, null);
    replace(main, h('p', { class: 'muted pad' }, 'Enter the API token to see the data.'));
  }
})();
