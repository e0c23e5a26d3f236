#!/usr/bin/env node
// Smoke test of the built UI in headless Chromium (not part of `npm test`):
//   npm run build && node scripts/smoke.mjs
// Starts `vite preview` (proxying /api to FLOWLENS_API, default
// http://127.0.0.1:8099, e.g. `flowlens serve --data demo-data/store
// --listen 127.0.0.1:8099`), loads each view, fails on console errors and
// writes screenshots to /tmp/ui-shots/. Also renders the standalone bundle
// from file:// (/tmp/standalone.html) with SMOKE_GRAPH_JSON (a graph JSON
// file or API answer, default /tmp/api-samples/graph_group_subnet.json).

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('..', import.meta.url));
const dist = fileURLToPath(new URL('../../internal/webui/dist/', import.meta.url));
const SHOTS = process.env.SMOKE_SHOTS || '/tmp/ui-shots';
const PORT = Number(process.env.SMOKE_PORT || 4173);
const BASE = `http://127.0.0.1:${PORT}/`;
const GRAPH_JSON = process.env.SMOKE_GRAPH_JSON || '/tmp/api-samples/graph_group_subnet.json';
mkdirSync(SHOTS, { recursive: true });

const results = [];
const failures = [];
function check(name, ok, detail = '') {
  results.push(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures.push(name);
}

async function waitForServer(url, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`preview server not up at ${url}`);
}

const preview = spawn(process.execPath, [fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url)), 'preview', '--port', String(PORT), '--strictPort'], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
let previewExit = null;
preview.on('exit', (code) => {
  previewExit = code;
});
let browser;
try {
  await waitForServer(BASE);
  await new Promise((r) => setTimeout(r, 300));
  if (previewExit !== null) throw new Error(`vite preview exited (${previewExit}): is port ${PORT} taken? (SMOKE_PORT)`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  let allowNetworkErrors = false;
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (allowNetworkErrors && /Failed to load resource/.test(m.text())) return;
    consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  const notFound = [];
  page.on('response', (r) => {
    if (r.status() === 404) notFound.push(r.url());
  });

  // Dashboard.
  await page.goto(`${BASE}#/dashboard`);
  await page.waitForSelector('body[data-dashboard=ready]', { timeout: 90000 });
  const dash = await page.evaluate(() => ({
    ms: window.__flowlens.dashboardRenderMs,
    view: document.body.dataset.view,
    states: Object.fromEntries([...document.querySelectorAll('[data-testid^=panel-]')].map((p) => [p.dataset.testid, p.dataset.state])),
    flows: document.querySelector('[data-testid=total-flows]')?.dataset.value,
  }));
  check('dashboard: view hook', dash.view === 'dashboard');
  check('dashboard: 11 panels ready', Object.keys(dash.states).length === 11 && Object.values(dash.states).every((s) => s === 'ready'), JSON.stringify(dash.states));
  check('dashboard: total-flows data-value', /^\d+$/.test(dash.flows || ''), dash.flows);
  check('dashboard: render time', dash.ms > 0, `${Math.round(dash.ms)} ms`);
  await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
  await page.hover('[data-testid=panel-heatmap] [data-testid=heat-cell] >> nth=30');
  await page.screenshot({ path: `${SHOTS}/dashboard-heatmap-hover.png`, clip: await page.locator('[data-testid=panel-heatmap]').boundingBox() });

  // Click a top source → flows view filtered on it.
  await page.click('[data-testid=panel-top-src] tr[data-row] >> nth=0');
  await page.waitForSelector('[data-testid=flows-table] tr[data-row]', { timeout: 60000 });
  const fl = await page.evaluate(() => ({ hash: location.hash, rows: document.querySelectorAll('[data-testid=flows-table] tr[data-row]').length, view: document.body.dataset.view, where: document.querySelector('[data-testid=filter-where]').value }));
  check('top src click → flows view filtered', fl.view === 'flows' && /srcaddr=/.test(fl.where) && fl.rows > 0, `${fl.where}, ${fl.rows} rows`);

  // Flows view.
  await page.goto(`${BASE}#/flows?range=1h`);
  await page.waitForFunction(() => document.querySelector('.flows-body')?.dataset.state === 'ready', null, { timeout: 60000 });
  const flows = await page.evaluate(() => ({
    rows: document.querySelectorAll('[data-testid=flows-table] tr[data-row]').length,
    csv: document.querySelector('[data-testid=download-csv]').getAttribute('href'),
    json: document.querySelector('[data-testid=download-json]').getAttribute('href'),
    count: document.querySelector('[data-testid=flows-count]').textContent,
  }));
  check('flows: 100 rows', flows.rows === 100, flows.count);
  check('flows: download links', /output=csv/.test(flows.csv) && /output=json/.test(flows.json) && /limit=100000/.test(flows.csv), flows.csv);
  await page.screenshot({ path: `${SHOTS}/flows.png` });
  await page.click('[data-testid=flows-next]');
  await page.waitForFunction(() => /offset=100/.test(location.hash) && document.querySelector('.flows-body')?.dataset.state === 'ready', null, { timeout: 60000 });
  check('flows: next page', true);
  await page.goBack();
  await page.waitForFunction(() => !/offset=/.test(location.hash) && document.querySelector('.flows-body')?.dataset.state === 'ready', null, { timeout: 60000 });
  check('flows: back', true);
  const r = await page.request.get(`${BASE}${flows.csv}`.replace('limit=100000', 'limit=5'));
  check('flows: CSV download works', r.ok() && (await r.text()).split('\n').length >= 5);

  // Graph view (default: ip, top_k 1500).
  await page.goto(`${BASE}#/graph`);
  await page.waitForSelector('body[data-graph=ready]', { timeout: 90000 });
  const g = await page.evaluate(() => ({ ...window.__flowlens.graph, cnt: { ...document.querySelector('[data-testid=graph-count]').dataset }, notes: document.querySelector('[data-testid=graph-notes]').textContent }));
  check('graph: hooks', g.nodes > 0 && g.edges > 0 && String(g.nodes) === g.cnt.nodes && String(g.edges) === g.cnt.edges, `${g.nodes} nodes, ${g.edges} edges, layout ${g.layoutMs} ms`);
  check('graph: notes', /top-k|heaviest/.test(g.notes), g.notes.slice(0, 80));
  await page.screenshot({ path: `${SHOTS}/graph.png` });

  // Click the heaviest node with a real mouse event.
  const pos = await page.evaluate(() => {
    const cy = window.__flowlens.cy;
    const n = cy.nodes().filter((x) => !x.isParent()).max((x) => x.data('w')).ele;
    const p = n.renderedPosition();
    const r = cy.container().getBoundingClientRect();
    return { id: n.id(), x: r.left + p.x, y: r.top + p.y };
  });
  await page.mouse.move(pos.x, pos.y);
  await page.waitForTimeout(150);
  await page.screenshot({ path: `${SHOTS}/graph-hover.png` });
  await page.mouse.click(pos.x, pos.y);
  await page.waitForSelector('[data-testid=side-panel]:not([hidden])', { timeout: 10000 });
  await page.waitForSelector('[data-testid=side-flows] tr[data-row]', { timeout: 60000 }).catch(() => {});
  const side = await page.evaluate(() => ({ hash: location.hash, rows: document.querySelectorAll('[data-testid=side-flows] tr[data-row]').length, title: document.querySelector('[data-testid=side-title]')?.textContent, note: document.querySelector('[data-testid=side-flows-note]')?.textContent }));
  check('graph: node click → side panel + sel in URL', decodeURIComponent(side.hash).includes(`sel=node:${pos.id}`) && !!side.title, `${pos.id}: ${side.title}`);
  check('graph: side flows', side.rows > 0 || !!side.note, side.rows ? `${side.rows} rows` : side.note);
  await page.screenshot({ path: `${SHOTS}/graph-selected.png` });

  // Reload the shared link: the side panel reopens.
  await page.reload();
  await page.waitForSelector('body[data-graph=ready]', { timeout: 90000 });
  await page.waitForSelector('[data-testid=side-panel]:not([hidden])', { timeout: 10000 });
  check('graph: shared link reopens the selection', true);

  // Search.
  await page.fill('[data-testid=graph-search]', pos.id);
  await page.press('[data-testid=graph-search]', 'Enter');
  await page.waitForTimeout(400);
  // Subnet grouping.
  await page.goto(`${BASE}#/graph?group=subnet`);
  await page.waitForFunction(() => document.body.dataset.graph === 'ready' && /subnet/.test(location.hash), null, { timeout: 90000 });
  const gs = await page.evaluate(() => window.__flowlens.graph);
  check('graph: group=subnet', gs.nodes > 0, `${gs.nodes} nodes, ${gs.edges} edges, layout ${gs.layoutMs} ms`);
  await page.screenshot({ path: `${SHOTS}/graph-subnet.png` });

  // Edge selection.
  const epos = await page.evaluate(() => {
    const cy = window.__flowlens.cy;
    const e = cy.edges().max((x) => x.data('bytes')).ele;
    return { src: e.source().id(), dst: e.target().id() };
  });
  await page.goto(`${BASE}#/graph?group=subnet&sel=${encodeURIComponent(`edge:${epos.src}>${epos.dst}`)}`);
  await page.waitForSelector('[data-testid=side-panel]:not([hidden])', { timeout: 60000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/graph-edge.png` });

  // 500-node graph (top_k 0 would be 25k edges: use the server's cap with 1500 edges by flows).
  const t0 = Date.now();
  await page.goto(`${BASE}#/graph?weight=flows&top_k=1500`);
  await page.waitForFunction(() => document.body.dataset.graph === 'ready' && /weight=flows/.test(location.hash), null, { timeout: 90000 });
  const g2 = await page.evaluate(() => window.__flowlens.graph);
  check('graph: weight=flows', g2.nodes > 0, `${g2.nodes} nodes, ${g2.edges} edges, layout ${g2.layoutMs} ms, total ${Date.now() - t0} ms`);

  // An API error is shown inline, not thrown.
  allowNetworkErrors = true;
  await page.goto(`${BASE}#/flows?where=dstprt%3D22`);
  await page.waitForSelector('[data-testid=api-error]', { timeout: 30000 });
  const err = await page.evaluate(() => ({ text: document.querySelector('[data-testid=api-error]').textContent, errors: window.__flowlens.errors.length }));
  check('error: inline message from the server', /unknown field/.test(err.text) && err.errors > 0, err.text.slice(0, 100));
  await page.screenshot({ path: `${SHOTS}/flows-error.png` });
  allowNetworkErrors = false;

  // Standalone bundle from file://.
  if (existsSync(GRAPH_JSON)) {
    let gj = JSON.parse(readFileSync(GRAPH_JSON, 'utf8'));
    if (gj.status === 'success') gj = gj.data;
    gj.title = gj.title || 'flowlens graph (smoke)';
    // As internal/webui/html.go writes it, with its Content-Security-Policy.
    const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:";
    const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><title>flowlens graph</title><style>${readFileSync(`${dist}standalone/graph.css`, 'utf8')}</style></head><body><div id="flowlens-graph"></div><script type="application/json" id="flowlens-graph-data">${JSON.stringify(gj).replace(/</g, '\\u003c')}</script><script>${readFileSync(`${dist}standalone/graph.js`, 'utf8')}</script></body></html>`;
    writeFileSync('/tmp/standalone.html', html);
    const sp = await context.newPage();
    const requests = [];
    sp.on('request', (q) => {
      if (!q.url().startsWith('file://') && !q.url().startsWith('data:')) requests.push(q.url());
    });
    sp.on('console', (m) => m.type() === 'error' && consoleErrors.push(`standalone: ${m.text()}`));
    sp.on('pageerror', (e) => consoleErrors.push(`standalone pageerror: ${e.message}`));
    await sp.goto('file:///tmp/standalone.html');
    await sp.waitForSelector('body[data-graph=ready]', { timeout: 60000 });
    const sg = await sp.evaluate(() => window.__flowlens.graph);
    check('standalone: renders from file://', sg.nodes > 0, `${sg.nodes} nodes, ${sg.edges} edges, layout ${sg.layoutMs} ms`);
    check('standalone: no network', requests.length === 0, requests.join(' '));
    await sp.screenshot({ path: `${SHOTS}/standalone.png` });
    const spos = await sp.evaluate(() => {
      const cy = window.__flowlens.cy;
      const n = cy.nodes().filter((x) => !x.isParent()).max((x) => x.data('w')).ele;
      const p = n.renderedPosition();
      const r = cy.container().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    });
    await sp.mouse.click(spos.x, spos.y);
    await sp.waitForSelector('[data-testid=side-panel]:not([hidden])', { timeout: 10000 });
    await sp.screenshot({ path: `${SHOTS}/standalone-selected.png` });
    check('standalone: side panel with flows note', await sp.evaluate(() => !!document.querySelector('[data-testid=side-flows-note]')));
  }

  check('no console errors', consoleErrors.length === 0, consoleErrors.slice(0, 5).join(' | '));
  check('no 404s', notFound.length === 0, notFound.join(' '));
} catch (err) {
  check('smoke run', false, err.stack || String(err));
} finally {
  if (browser) await browser.close();
  preview.kill('SIGTERM');
}
console.log(results.join('\n'));
console.log(`${results.length - failures.length} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
