// The messages shown: once per id and per (conversation, seq), whatever the source (history,
// socket, a send's answer), sorted by conversation in the order first seen, then seq; pending
// sends last, a streaming AI answer under the message it answers.
import { messageEl } from './bubble.js';
import { delivered } from './composer.js';
import { flags, page } from './context.js';
import { markRead } from './conversation.js';
import { el, formatText } from './dom.js';
import { badge, notice } from './notice.js';
import { str } from './util.js';
import { scroll, ui } from './view.js';

const shown = new Map(); // message id -> {m, li}
const seen = new Set(); // "conversation:seq"
const drafts = new Map(); // visitor message id -> li of the AI answer streaming in
const convs = []; // conversation ids in the order first seen
const hi = {}; // conversation id -> the highest seq shown with none missing below it

export const messages = () => shown.values();
export const shownMessage = id => shown.get(id);
export const highest = c => hi[c] || 0;
export const isKnown = c => convs.includes(c);

export function know(c) {
  if (!convs.includes(c)) convs.push(c);
}

// A history page ends at seq: nothing below it is missing any more.
export function reached(c, seq) {
  if (seq > highest(c)) hi[c] = seq;
}

export function place(li, key) {
  li._k = key;
  let ref = ui.list.lastChild;
  while (ref && ref._k > key) ref = ref.previousSibling;
  ref.after(li);
  scroll();
}

export const order = (conversation, seq) => (convs.indexOf(conversation) + 1) * 1e9 + seq;

export function add(m) {
  const c = m.conversation_id, seqKey = `${c}:${m.seq}`;
  if (shown.has(m.id)) return move(shown.get(m.id), m);
  if (seen.has(seqKey)) return;
  delivered(m.client_id);
  know(c);
  if (m.seq === highest(c) + 1) hi[c] = m.seq; // contiguous only, so a gap is refetched
  const li = messageEl(m);
  shown.set(m.id, { m, li });
  seen.add(seqKey);
  place(li, order(c, m.seq));
  if (m.role !== 'visitor') { ui.typing.hidden = true; clearDrafts(); }
  if (!flags.quiet && !flags.open && m.role !== 'visitor') badge();
  if (m.role === 'agent') { markRead(); if (!flags.quiet) notice(); }
  page.emit('message', {
    id: m.id, seq: m.seq, role: m.role, text: m.text, authorName: m.author_name, createdAt: m.created_at,
    attachments: m.attachments || [], component: m.component || null, conversationId: c,
  });
}

// A rep's reply put back in HubSpot's order comes again under a later seq: it moves there.
function move(entry, m) {
  if (entry.m.seq === m.seq) return;
  const c = m.conversation_id;
  seen.delete(`${c}:${entry.m.seq}`);
  seen.add(`${c}:${m.seq}`);
  entry.m = m;
  if (m.seq === highest(c) + 1) hi[c] = m.seq;
  place(entry.li, order(c, m.seq));
}

// Streaming: partial AI text in a provisional bubble under the message it answers.
export function draft(replyTo, text) {
  let li = drafts.get(replyTo);
  if (!li) {
    li = el('li', { className: 'msg', part: 'message', 'data-role': 'ai', 'data-draft': replyTo });
    drafts.set(replyTo, li);
    const asked = shown.get(replyTo);
    place(li, asked ? asked.li._k + 0.5 : Infinity);
  }
  li.replaceChildren(el('div', { className: 'text' }, formatText(str(text))));
  ui.typing.hidden = true;
  scroll();
}

function clearDrafts() {
  for (const li of drafts.values()) li.remove();
  drafts.clear();
}

// Relaydesk.registerComponent(name) after messages with that component were shown.
export function refresh(componentName) {
  for (const entry of shown.values()) {
    if (entry.m.component?.name !== componentName) continue;
    const li = messageEl(entry.m);
    li._k = entry.li._k;
    entry.li.replaceWith(li);
    entry.li = li;
  }
}

// Another visitor (identify): nothing of the previous one stays.
export function clearTimeline() {
  for (const { li } of shown.values()) li.remove();
  shown.clear();
  seen.clear();
  convs.length = 0;
  for (const k in hi) delete hi[k];
}
