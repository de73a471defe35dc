// HTTP: every call has a timeout; network errors, 5xx and 429 are retried with backoff, and a
// 401 starts a new session first.
import { page } from './context.js';
import { startSession, visitorToken } from './session.js';
import { backoff, sleep } from './util.js';

export const API = '/api/widget/v1';

export async function api(method, path, body, { timeout = 10000, tries = 3 } = {}) {
  for (let i = 1; ; i++) {
    let r;
    try {
      r = await request(method, path, body, timeout);
    } catch (e) {
      if (i >= tries) throw Object.assign(new Error(e.message), { code: 'network' });
      await sleep(backoff(i));
      continue;
    }
    if (r.status < 300) return r.data;
    const err = r.data?.error || {};
    const e = Object.assign(new Error(err.message || `HTTP ${r.status}`), { status: r.status, code: err.code });
    if (r.status === 401 && path !== '/sessions' && i < tries) { await startSession(); continue; }
    if ((r.status < 500 && r.status !== 429) || i >= tries || r.wait > 10000) throw e; // e.g. a day's upload quota
    await sleep(r.wait || backoff(i));
  }
}

// The timeout covers the whole exchange, body included; a body that is not JSON is retried.
async function request(method, path, body, timeout) {
  const ac = new AbortController(), timer = setTimeout(() => ac.abort(), timeout);
  const token = visitorToken(), headers = token ? { Authorization: `Bearer ${token}` } : {};
  if (body && !(body instanceof FormData)) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  try {
    const res = await fetch(page.base + API + path, { method, headers, body, signal: ac.signal });
    const text = await res.text();
    return { status: res.status, data: text ? JSON.parse(text) : null, wait: res.headers.get('retry-after') * 1000 };
  } finally {
    clearTimeout(timer);
  }
}
