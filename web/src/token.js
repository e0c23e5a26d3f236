// The API token: taken from ?token= (page query or hash query), kept in
// sessionStorage and removed from the visible URL.

const KEY = 'flowlens.token';

export function getToken() {
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(t) {
  try {
    if (t) sessionStorage.setItem(KEY, t);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage disabled: the token lives for this page only */
    memoryToken = t;
  }
}

let memoryToken = '';
export function currentToken() {
  return getToken() || memoryToken;
}

/**
 * Strips token= from a search string or hash. Returns {token, rest}.
 * stripToken('?token=abc&x=1') → {token: 'abc', rest: '?x=1'}
 * stripToken('#/graph?token=abc') → {token: 'abc', rest: '#/graph'}
 */
export function stripToken(s) {
  if (!s) return { token: '', rest: s || '' };
  const q = s.indexOf('?');
  if (q < 0) return { token: '', rest: s };
  const head = s.slice(0, q);
  const parts = s.slice(q + 1).split('&');
  let token = '';
  const keep = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    const k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    if (k === 'token') token = decodeURIComponent((eq < 0 ? '' : part.slice(eq + 1)).replace(/\+/g, ' '));
    else if (part !== '') keep.push(part);
  }
  return { token, rest: head + (keep.length ? '?' + keep.join('&') : '') };
}

/** Moves a URL token into sessionStorage and cleans the address bar. */
export function captureToken() {
  const s = stripToken(location.search);
  const hsh = stripToken(location.hash);
  const token = hsh.token || s.token;
  if (token) {
    setToken(token);
    history.replaceState(history.state, '', location.pathname + s.rest + hsh.rest);
  }
  return currentToken();
}
