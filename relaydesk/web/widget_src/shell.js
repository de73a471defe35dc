// The panel, loaded on demand by loader.js (which owns window.Relaydesk, the
// <relaydesk-widget> host element, its open shadow root and the launcher): mount builds the
// view in the shadow root, starts the session and hands the loader the panel's methods.
import { showTimes } from './bubble.js';
import { resend, send } from './composer.js';
import { adopt, flags, page } from './context.js';
import { withdrawCsat } from './csat.js';
import { begin, current, forget, markRead, sync } from './conversation.js';
import { renewFilesIfDue, renewFilesLater } from './files.js';
import { clearBadge, noticed } from './notice.js';
import { restoreToken, startSession } from './session.js';
import { connect, connected, ping, reconnectNow, stopSocket } from './socket.js';
import { clearTimeline, refresh } from './timeline.js';
import { backoff, sleep } from './util.js';
import { applyConfig, buildView, scroll, setStatus, showError, ui } from './view.js';

// Settles once the first session started (rejects if it was refused for good).
export let started;

function mount(ctx) {
  adopt(ctx);
  restoreToken();
  buildView();
  applyConfig(ctx.config);
  setStatus(true);
  started = start();
  started.catch(() => {});
  watch();
  return { open, close, toggle: () => (flags.open ? close() : open()), send: text => send(text), identify, refresh };
}

// Retried with backoff until the server answers; a refusal (4xx) is final.
async function start() {
  for (let i = 1; ; i++) {
    try {
      const s = await startSession();
      await begin(s);
      flags.quiet = false;
      setStatus(false);
      page.emit('ready', { visitor: s.visitor, conversationId: current() });
      connect();
      renewFilesLater();
      return;
    } catch (e) {
      if (e.status && e.status < 500 && e.status !== 429) {
        if (e.code === 'origin_not_allowed') refuse(e.message);
        else showError(e.message);
        page.emit('error', { code: e.code || 'session_failed', message: e.message });
        throw e;
      }
      await sleep(backoff(i));
    }
  }
}

// Relaydesk.identify(token): the session is started again with the identity, and the panel
// shows that visitor's conversations only.
async function identify(identityToken) {
  page.opts.identityToken = identityToken;
  await started;
  const s = await startSession();
  flags.quiet = true;
  clearTimeline();
  withdrawCsat();
  forget();
  try { await begin(s); } finally { flags.quiet = false; }
  reconnectNow();
}

// An origin the organization does not allow: nothing stays on the page, the console says why.
export function refuse(message) {
  flags.quiet = true;
  stopSocket();
  page.host.remove();
  console.warn('relaydesk:', message);
}

// Timers and page events: times kept fresh, pings, and a catch-up when the page comes back.
function watch() {
  setInterval(showTimes, 30000);
  setInterval(ping, 25000);
  addEventListener('focus', noticed);
  addEventListener('online', () => { if (!flags.quiet) { reconnectNow(); resend(); } });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') noticed();
    if (flags.quiet || document.visibilityState !== 'visible') return;
    markRead();
    if (connected()) { ping(); sync(); } else reconnectNow();
    renewFilesIfDue(); // timers slept
  });
}

// Open / close (floating mode; inline is always open).
export function open() {
  if (flags.open) return;
  flags.open = true;
  ui.panel.hidden = false;
  launcher()?.setAttribute('aria-expanded', true);
  clearBadge();
  page.emit('open');
  markRead();
  scroll();
  ui.input.focus();
}

export function close() {
  if (page.opts.mode === 'inline' || !flags.open) return;
  const focused = ui.panel.contains(page.root.activeElement);
  flags.open = false;
  ui.panel.hidden = true;
  launcher()?.setAttribute('aria-expanded', false);
  if (focused) launcher()?.focus(); // keyboard users carry on where they opened it
  page.emit('close');
}

const launcher = () => page.root.querySelector('.launcher');

window.Relaydesk._mount(mount);
