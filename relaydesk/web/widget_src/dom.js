// DOM building: elements and text nodes only, never HTML strings.
import { str } from './util.js';

const REL = 'noopener noreferrer nofollow';

export function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k in e && k !== 'part') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids.filter(k => k != null && k !== false));
  return e;
}

// An http(s) URL as written, or null for anything else (javascript:, data:, nonsense).
export function safeUrl(url) {
  try {
    const u = new URL(str(url));
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch { return null; }
}

export function link(url, ...kids) {
  return el('a', { href: url, target: '_blank', rel: REL }, ...kids);
}

// Message formatting: **bold**, *italic*, `code`, line breaks, http(s) links.
const INLINE = /(`[^`\n]+`)|\*\*([^*\n]+)\*\*|\*([^*\s][^*\n]*?)\*|(https?:\/\/[^\s<>"']+)/g;

export function formatText(text) {
  const out = document.createDocumentFragment();
  str(text).split('\n').forEach((line, i) => {
    if (i) out.append(el('br'));
    inline(out, line);
  });
  return out;
}

function inline(parent, s) {
  let last = 0;
  for (const m of s.matchAll(INLINE)) {
    parent.append(s.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1]) parent.append(el('code', null, m[1].slice(1, -1)));
    else if (m[4]) {
      const url = m[4].replace(/[.,;:!?)\]]+$/, '');
      last = m.index + url.length; // trailing punctuation stays text
      parent.append(safeUrl(url) ? link(url, url) : url);
    } else {
      const e = el(m[2] ? 'strong' : 'em');
      inline(e, m[2] || m[3]);
      parent.append(e);
    }
  }
  parent.append(s.slice(last));
}
