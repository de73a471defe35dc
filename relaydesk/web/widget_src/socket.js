// WebSocket: an optimisation over HTTP; every (re)connect resyncs from HTTP. Frames go to the
// handler named by their type in FRAMES; a socket that does not answer a ping within 10 s is
// dead (sleep, network change).
import { resend } from './composer.js';
import { page } from './context.js';
import { begin, current, switchTo, sync, track } from './conversation.js';
import { API } from './http.js';
import { startSession, visitorToken } from './session.js';
import { refuse } from './shell.js';
import { draft, add, highest, isKnown } from './timeline.js';
import { backoff } from './util.js';
import { setStatus, showTyping } from './view.js';

let ws = null, attempt = 0, retryTimer, deadTimer, fresh = true;

const FRAMES = {
  hello() {
    attempt = 0;
    setStatus(false);
    resend();
    if (current()) sync();
    else if (!fresh) startSession().then(begin).catch(() => {}); // one may have started elsewhere
    fresh = false;
  },
  'message.created'({ message: m }) {
    const c = m.conversation_id;
    if (!isKnown(c)) switchTo(c); // a new conversation, e.g. made by our first message
    if (c !== current() || m.seq <= highest(c) + 1) add(m);
    else sync(); // a gap: HTTP fills it in, in order
  },
  'message.delta'(f) { draft(f.reply_to_id, f.text); },
  typing(f) { showTyping(f.role, f.on); },
  'conversation.updated'(f) { track(f.conversation, true); },
};

function onFrame(f) {
  const handle = Object.hasOwn(FRAMES, f.type) ? FRAMES[f.type] : null;
  if (handle) handle(f);
}

export function connect() {
  clearTimeout(retryTimer);
  const token = visitorToken();
  if (ws || !token) return;
  let s;
  try {
    s = ws = new WebSocket(`${page.base.replace(/^http/, 'ws')}${API}/ws?token=${encodeURIComponent(token)}`);
  } catch {
    return reconnectLater(); // e.g. refused by the page's CSP: HTTP keeps working
  }
  s.onmessage = e => {
    clearTimeout(deadTimer);
    try { onFrame(JSON.parse(e.data)); } catch (err) { console.warn('relaydesk: frame', err); }
  };
  s.onclose = e => { if (ws === s) { ws = null; reconnectLater(e.code); } };
}

// 4401: the visitor token was refused, start a new session first; 4403: this origin is not
// allowed, give up; anything else: reconnect with backoff and jitter.
function reconnectLater(code) {
  if (code === 4403) {
    refuse('this origin is not allowed for this widget');
    return page.emit('error', { code: 'origin_not_allowed', message: 'origin not allowed' });
  }
  if (attempt > 1) setStatus(true);
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => (code === 4401 ? startSession() : Promise.resolve()).catch(() => {}).then(connect), backoff(attempt++));
  if (current()) sync(); // keep messages flowing over HTTP while the socket is down
}

export function reconnectNow() {
  attempt = 0;
  dropSocket();
  connect();
}

// No socket and no reconnect planned (the widget is being removed).
export function stopSocket() {
  clearTimeout(retryTimer);
  dropSocket();
}

function dropSocket() {
  clearTimeout(deadTimer);
  if (ws) { ws.onclose = null; ws.close(); ws = null; }
}

export const connected = () => !!ws;

export function ping() {
  if (!ws || ws.readyState !== 1) return;
  ws.send(JSON.stringify({ type: 'ping' }));
  clearTimeout(deadTimer);
  const s = ws;
  deadTimer = setTimeout(() => { if (ws === s) { dropSocket(); reconnectLater(); } }, 10000);
}
