// One message as a list item: author, text, files, component, sources and its time.
import { componentEl } from './cards.js';
import { page } from './context.js';
import { el, formatText, safeUrl } from './dom.js';
import { t } from './strings.js';
import { str } from './util.js';
import { scroll, ui } from './view.js';

let rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' }), lang = 'en';

export function messageEl(m, pendingFiles) {
  const li = el('li', {
    className: 'msg', part: 'message',
    'data-role': m.role, 'data-id': m.id, 'data-seq': m.seq, 'data-conversation': m.conversation_id,
    'data-client-id': m.client_id, 'data-status': m.role === 'visitor' && (m.id ? 'sent' : 'pending'),
  });
  if (m.role === 'agent' && m.author_name) li.append(el('span', { className: 'author' }, str(m.author_name)));
  if (m.text) li.append(el('div', { className: 'text' }, formatText(m.text)));
  const files = (m.attachments || []).map(fileEl);
  for (const f of pendingFiles || []) files.push(el('span', { className: 'file' }, str(f.name)));
  if (files.length) li.append(el('div', { className: 'files' }, ...files));
  if (m.component) li.append(componentEl(m.component, m.text));
  const titles = [...new Set((m.sources || []).map(s => str(s.title)).filter(Boolean))];
  if (m.role === 'ai' && titles.length) {
    li.append(el('div', { className: 'sources', part: 'sources' }, t('source', { title: titles.join(', ') })));
  }
  if (m.created_at && m.role !== 'system') showTime(li, m.created_at);
  return li;
}

// A link to an attachment (the image itself for images), or its name without a usable URL.
export function fileEl(a) {
  const url = fileUrl(a);
  if (!url) return el('span', { className: 'file' }, str(a.name));
  const image = /^image\//.test(a.content_type);
  return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow', className: 'file', 'data-attachment': str(a.id) },
    image ? el('img', { src: url, alt: str(a.name), onload: scroll }) : str(a.name));
}

export function fileUrl(a) {
  const raw = str(a.url);
  return safeUrl(raw.startsWith('/') ? page.base + raw : raw);
}

// Message times: relative ("5 minutes ago", drawn by CSS from data-time so that the message's
// text stays its text), the full time on hover; kept fresh.
export function setTimeLocale(locale) {
  rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  lang = locale;
}

function showTime(li, iso = li.dataset.at) {
  const at = new Date(iso), s = (at - Date.now()) / 1000, a = Math.abs(s);
  const [n, unit] = a < 45 ? [0, 'second'] : a < 3600 ? [s / 60, 'minute'] : a < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  li.dataset.at = iso;
  li.dataset.time = rtf.format(Math.round(n), unit);
  li.title = at.toLocaleString(lang);
}

export function showTimes() {
  ui.list?.querySelectorAll('[data-at]').forEach(li => showTime(li));
}
