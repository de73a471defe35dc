// File links expire (config.attachment_url_ttl_s, an hour): every URL shown was issued after
// `issued`, so all still work until issued + TTL; at 80 % of it the history of each
// conversation shown with files is fetched again and the fresh URLs go into the links in place.
import { fileUrl } from './bubble.js';
import { config } from './context.js';
import { api } from './http.js';
import { messages, shownMessage } from './timeline.js';
import { str } from './util.js';

let issued = Date.now(), renewTimer;
const ttl = () => (config.attachment_url_ttl_s || 0) * 1000;

export function renewFilesLater(ms) {
  clearTimeout(renewTimer);
  if (ttl()) renewTimer = setTimeout(renewFiles, ms ?? Math.max(1000, issued + ttl() * 0.8 - Date.now()));
}

// Timers sleep with the tab: a tab shown again renews at once if the links are due.
export function renewFilesIfDue() {
  if (ttl() && Date.now() - issued > ttl() * 0.8) renewFiles();
}

async function renewFiles() {
  const asked = Date.now();
  const ids = new Set([...messages()].filter(e => e.m.attachments?.length).map(e => e.m.conversation_id));
  try {
    for (const id of ids) {
      const r = await api('GET', `/conversations/${encodeURIComponent(id)}/messages?after_seq=0`);
      r.messages.forEach(renewLinks);
    }
    issued = asked;
    renewFilesLater();
  } catch {
    renewFilesLater(30000); // offline or refused: the links may lapse; try again shortly
  }
}

function renewLinks(m) {
  const entry = shownMessage(m.id);
  if (!entry || !m.attachments?.length) return;
  entry.m.attachments = m.attachments;
  for (const a of m.attachments) {
    const url = fileUrl(a);
    const link = [...entry.li.querySelectorAll('a.file')].find(n => n.dataset.attachment === str(a.id));
    if (!url || !link) continue;
    link.href = url;
    const img = link.querySelector('img');
    if (img && !img.naturalWidth) img.src = url; // not shown (it failed or is loading): afresh
  }
}
