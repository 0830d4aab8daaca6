// The REST API (/api/v1) and who is signed in. Every call goes through api(): JSON in and out,
// the bearer token when there is one, and errors as ApiError with the server's code and message.

const TOKEN_KEY = 'lifdag.token';
const ROLE_RANK = { viewer: 1, launcher: 2, admin: 3 };

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  describe() {
    const prefix = this.status ? `${this.status} ${this.code}` : this.code;
    return `${this.message} (${prefix})`;
  }
}

export const session = {
  token: sessionStorage.getItem(TOKEN_KEY) || localStorage.getItem(TOKEN_KEY) || '',
  authEnabled: false,
  role: null, // viewer | launcher | admin, once known
  name: '',
  listeners: new Set(),

  setToken(token, remember) {
    this.token = token;
    sessionStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
    if (token) (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
  },

  update(who) {
    this.authEnabled = who.authEnabled;
    this.role = who.role;
    this.name = who.name;
    for (const fn of this.listeners) fn(this);
  },

  signOut() {
    this.setToken('', false);
    this.role = null;
    for (const fn of this.listeners) fn(this);
  },

  // Whether the signed-in role includes `role` (viewer < launcher < admin).
  can(role) {
    return (ROLE_RANK[this.role] || 0) >= ROLE_RANK[role];
  },
};

// An answer boot.js already asked for: taken once, on the first page only, with the same token.
async function early(method, path) {
  const boot = window.lifdagEarly;
  if (method !== 'GET' || !boot || boot.token !== session.token) return null;
  const started = boot.answers.get(path);
  if (!started) return null;
  boot.answers.delete(path);
  return started;
}

export function forgetEarlyAnswers() {
  window.lifdagEarly = null;
}

export async function api(method, path, body, { signal } = {}) {
  const headers = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response = await early(method, path);
  if (!response) {
    try {
      const r = await fetch(path, {
        method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
      });
      response = { status: r.status, statusText: r.statusText, text: r.status === 204 ? '' : await r.text() };
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', `The lifdag webserver did not answer (${err.message}). Is it running?`);
    }
  }
  if (signal && signal.aborted) throw new DOMException('The page was left', 'AbortError');
  if (response.status === 204) return null;
  const text = response.text;
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  if (response.status < 200 || response.status > 299) {
    const e = json && json.error ? json.error : null;
    const error = e ? new ApiError(response.status, e.code || 'error', e.message || response.statusText, e)
      : new ApiError(response.status, 'http_error', `${response.status} ${response.statusText}: ${text.slice(0, 200)}`);
    if (response.status === 401) window.dispatchEvent(new CustomEvent('lifdag:unauthorized', { detail: error }));
    throw error;
  }
  if (json === null && text) throw new ApiError(response.status, 'invalid_response', 'The server answered with something other than JSON.');
  return json;
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body, options) => api('POST', path, body, options);
export const put = (path, body, options) => api('PUT', path, body, options);
export const del = (path, options) => api('DELETE', path, undefined, options);

// "?a=1&b=x&b=y" from {a: 1, b: ['x', 'y']} (empty values left out).
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null && v !== '') q.append(key, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

export async function whoAmI() {
  const who = await get('/api/v1/auth/whoami');
  session.update(who);
  return who;
}
