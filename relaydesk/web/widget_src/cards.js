// Rich components in messages: host-registered renderers first (Relaydesk.registerComponent),
// then the built-in card, list and buttons. Unknown or broken ones show component.text.
import { page } from './context.js';
import { el, formatText, link, safeUrl } from './dom.js';
import { send } from './composer.js';
import { str } from './util.js';

const BUILTIN = {
  card(d) {
    const url = safeUrl(d.url), img = safeUrl(d.image_url), title = str(d.title);
    return el('div', { className: 'card' }, img && el('img', { src: img, alt: '' }),
      el('strong', null, url ? link(url, title) : title), d.body && el('p', null, formatText(d.body)));
  },
  list(d) {
    const body = Array.isArray(d.columns)
      ? el('table', null, el('thead', null, el('tr', null, ...d.columns.map(c => el('th', null, str(c))))),
        el('tbody', null, ...(d.rows || []).map(r => el('tr', null, ...r.map(c => el('td', null, str(c)))))))
      : el('ul', null, ...d.items.map(i => el('li', null, str(i.title), i.subtitle && el('small', null, str(i.subtitle)))));
    return el('div', { className: 'list' }, d.title && el('strong', null, str(d.title)), body);
  },
  buttons(d, ui) {
    const buttons = d.buttons.map(b => el('button', {
      type: 'button',
      onclick() { buttons.forEach(x => { x.disabled = true; }); ui.send(str(b.value ?? b.label)); },
    }, str(b.label)));
    return el('div', { className: 'buttons' }, d.title && el('strong', null, str(d.title)), ...buttons);
  },
};

function render(c) {
  const own = (o, k) => (Object.hasOwn(o, k) ? o[k] : null);
  const renderer = own(page.components, c.name) || own(BUILTIN, c.name);
  try {
    const node = renderer && renderer(c.data || {}, { send, text: str(c.text) });
    if (node instanceof Node) return node;
  } catch (e) {
    console.warn('relaydesk: component', c.name, e);
  }
  return null;
}

export function componentEl(c, text) {
  const node = render(c);
  const box = el('div', { className: 'component', 'data-component': str(c.name) });
  if (node) box.append(node);
  else if (c.text && c.text !== text) box.append(formatText(c.text));
  return box;
}
