// Test and diagnostics hooks: window.__flowlens always exists.

export function hooks() {
  if (!window.__flowlens) {
    window.__flowlens = { view: null, dashboardRenderMs: null, graph: null, cy: null, errors: [] };
  }
  return window.__flowlens;
}

/** Records a caught error (shown to the user by the caller). */
export function recordError(err, source) {
  const msg = err && err.message ? err.message : String(err);
  hooks().errors.push({ source: source || '', message: msg, time: new Date().toISOString() });
  return msg;
}
