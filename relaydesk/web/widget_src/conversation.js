// The current conversation: which one is shown, its state, its history over HTTP (the truth:
// everything after the contiguous seq shown) and the read receipts for it.
import { flags, page } from './context.js';
import { offerCsat, withdrawCsat } from './csat.js';
import { api } from './http.js';
import { storageKey } from './session.js';
import { add, highest, know, messages, reached } from './timeline.js';
import { storage } from './util.js';
import { ui } from './view.js';

let cur = null, syncing = null, again = false, readTimer;
const states = {}, readUpTo = {};

export const current = () => cur;

export function forget() {
  cur = null;
}

// A session's answer: its conversation, if any, becomes the current one.
export async function begin(s) {
  const c = s.conversation;
  await switchTo(c && c.id);
  track(c);
}

export function switchTo(id) {
  if (!id || id === cur) return syncing;
  cur = id;
  know(id);
  showState();
  return sync();
}

// One fetch at a time; a sync asked for meanwhile runs again after it.
export function sync() {
  if (syncing) { again = true; return syncing; }
  syncing = (async () => {
    do {
      again = false;
      const id = cur;
      if (!id) break;
      const r = await api('GET', `/conversations/${encodeURIComponent(id)}/messages?after_seq=${highest(id)}`);
      r.messages.forEach(add);
      const last = r.messages[r.messages.length - 1];
      if (last) reached(id, last.seq);
      track(r.conversation);
    } while (again);
  })().catch(() => {}).finally(() => { syncing = null; });
  return syncing;
}

// A conversation's state moves forward (ai → pending_human → human → closed): an answer
// computed before a pushed update (a history fetch racing the socket) must not undo it. The
// one way back is a reopen in HubSpot, pushed as conversation.updated (`pushed`).
const RANK = { ai: 0, pending_human: 1, human: 2, closed: 3 };
const human = s => s === 'pending_human' || s === 'human';

export function track(c, pushed = false) {
  if (!c) return;
  const prev = states[c.id];
  const reopened = pushed && prev === 'closed' && human(c.state);
  if (prev && RANK[c.state] < RANK[prev] && !reopened) return;
  if (reopened) withdrawCsat(c.id);
  states[c.id] = c.state;
  if (c.id === cur) {
    showState();
    offerCsat(c);
  }
  if (flags.quiet || prev === c.state) return;
  if (human(c.state) && !human(prev)) page.emit('handoff', { conversationId: c.id, state: c.state });
  if (c.state === 'closed') page.emit('conversation.closed', { conversationId: c.id });
}

function showState() {
  const state = states[cur];
  if (state) ui.panel.dataset.state = state;
  ui.endBtn.hidden = !cur || state === 'closed';
  // loader.js loads the panel at once on the next page while a conversation is open.
  storage(`${storageKey()}:conv`, cur && state !== 'closed' ? cur : null);
}

// Read receipts: while the panel is open and the page visible, the highest agent message seq
// shown is reported with POST /conversations/{id}/read {up_to_seq} (HubSpot then shows READ).
// Debounced; only what the visitor can actually see counts as read.
export function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(reportRead, 300);
}

function reportRead() {
  if (!flags.open || document.visibilityState !== 'visible' || !cur) return;
  let top = 0;
  for (const { m } of messages()) if (m.conversation_id === cur && m.role === 'agent') top = Math.max(top, m.seq);
  const c = cur;
  if (top <= (readUpTo[c] || 0)) return;
  readUpTo[c] = top;
  api('POST', `/conversations/${c}/read`, { up_to_seq: top }).catch(() => { readUpTo[c] = 0; });
}
