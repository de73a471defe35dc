// The visitor's session: a token kept in localStorage (`relaydesk:<widget key>`), the
// visitor as the server last described it, and the identity a host page gave.
//
// A refused identity token falls back to the anonymous session, a refused visitor token to a
// new visitor. One request at a time, each built from the answer before it: a session started
// on a reconnect while identify() runs cannot answer last with the anonymous visitor and take
// the identity back.
import { page } from './context.js';
import { api } from './http.js';
import { open } from './shell.js';
import { str, storage } from './util.js';
import { applyConfig } from './view.js';

let token = null, me = null, queue = Promise.resolve();
// A reply email's link: #relaydesk-reopen=<token> opens that conversation here, once.
let reopenToken = (location.hash.match(/[#&]relaydesk-reopen=([\w.%-]+)/) || [])[1];

export const visitorToken = () => token;
export const visitor = () => me;
export const storageKey = () => `relaydesk:${page.opts.widgetKey}`;

export function restoreToken() {
  token = storage(storageKey());
}

export function startSession() {
  const next = queue.then(newSession, newSession);
  queue = next.catch(() => {});
  return next;
}

async function newSession() {
  const opts = page.opts;
  const body = { widget_key: opts.widgetKey, visitor_token: token || undefined, identity_token: opts.identityToken || undefined, locale: str(opts.locale || navigator.language || '').slice(0, 35) || undefined };
  body.page_url = location.href.split('#')[0].slice(0, 2000);
  if (reopenToken) body.reopen_token = decodeURIComponent(reopenToken);
  for (;;) {
    try {
      const s = await api('POST', '/sessions', body);
      if (body.reopen_token) reopened(s);
      token = s.visitor_token; // from now on it carries the identity: the JWT is spent
      // identify() may have set a new JWT while this request was under way: keep it.
      if (opts.identityToken === body.identity_token) opts.identityToken = undefined;
      storage(storageKey(), token);
      known(s.visitor);
      applyConfig(s.config);
      return s;
    } catch (e) {
      if (e.status !== 401 || !(body.identity_token || body.visitor_token)) throw e;
      if (body.identity_token) {
        page.emit('error', { code: 'identity_rejected', message: e.message });
        body.identity_token = opts.identityToken = undefined;
      } else body.visitor_token = undefined;
    }
  }
}

function reopened(s) {
  reopenToken = undefined;
  history.replaceState(history.state, '', location.href.split('#')[0]);
  if (s.conversation) setTimeout(open, 0); // the link was followed to see the conversation
}

// Relaydesk.visitor() reads what the server last said about the visitor.
export function known(v) {
  me = v;
  page.visitor = { id: v.id, verified: !!v.verified, email: v.email ?? null, name: v.name ?? null };
}
