// The flowlens JSON API client: envelope handling, token, abort.

import { currentToken } from './token.js';
import { encodeQuery } from './state.js';

const BASE = 'api/v1/';

export class ApiError extends Error {
  constructor(message, { status = 0, type = '', path = '' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.path = path;
  }
}

/** Whether err is an abort (a superseded request): never shown. */
export function isAbort(err) {
  return err && (err.name === 'AbortError' || err.aborted === true);
}

// Listeners for 401 answers (the token prompt).
const unauthorizedListeners = new Set();
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** The URL of an endpoint with params (relative to the page). */
export function apiUrl(path, params = {}, { withToken = false } = {}) {
  const p = { ...params };
  const t = currentToken();
  if (withToken && t) p.token = t;
  const q = encodeQuery(p);
  return BASE + path + (q ? `?${q}` : '');
}

/**
 * GET an endpoint; resolves to {data, warnings} or throws ApiError with
 * the server's message.
 */
export async function apiGet(path, params = {}, { signal } = {}) {
  const url = apiUrl(path, params);
  const headers = { Accept: 'application/json' };
  const t = currentToken();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res;
  try {
    res = await fetch(url, { headers, signal, cache: 'no-store' });
  } catch (err) {
    if (isAbort(err) || (signal && signal.aborted)) throw err;
    throw new ApiError(`cannot reach the flowlens server (${err.message || 'network error'})`, { path });
  }
  let body = null;
  const text = await res.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.status === 401) for (const fn of unauthorizedListeners) fn();
  if (!body || typeof body !== 'object') {
    throw new ApiError(`${path}: HTTP ${res.status} ${res.statusText || ''}: not a flowlens API answer`.trim(), {
      status: res.status,
      path,
    });
  }
  if (body.status !== 'success' || !res.ok) {
    throw new ApiError(body.error || `${path}: HTTP ${res.status}`, {
      status: res.status,
      type: body.error_type || '',
      path,
    });
  }
  return { data: body.data, warnings: body.warnings || [] };
}

/** The table named name of an answer's data.tables (or undefined). */
export function table(data, name) {
  return data && Array.isArray(data.tables) ? data.tables.find((t) => t.name === name) : undefined;
}
