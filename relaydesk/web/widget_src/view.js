/* The panel's DOM inside the shadow root (stable: browser tests and host CSS via ::part rely on
 * it; loader.js owns the host element, the shadow root and the launcher):
 *   button.launcher[part=launcher] > span.badge[part=badge]     floating mode only (loader.js)
 *   section.panel[part=panel][data-state=ai|pending_human|human|closed][lang][dir]  hidden while
 *       closed; role=dialog labelled by the title
 *     header.header[part=header] > img.avatar[part=avatar] (the avatar or logo, if any),
 *       div.titles > h2.name[part=name] (title), p.subtitle[part=subtitle],
 *         p.availability[part=availability][data-open=true|false] (the team in now, or when next),
 *       button.end[part=end] (ends the conversation; shown while one is open),
 *       button.close[part=close] (floating mode)
 *     div.status[part=status]        "Connecting…" while there is no live connection
 *     ol.messages[part=messages]
 *       li.greeting[part=greeting]   config.greeting, always first (not a .msg)
 *       li.profile[part=profile][data-state=offer|editing|saved]   second, not a .msg; hidden
 *           until the session started and for verified visitors ("About you", optional):
 *         > button.profile-open[part=profile-open]   "Leave your name and email…" (offer)
 *           form.profile-form[part=profile-form] > input.profile-name[name=name],
 *             input.profile-email[name=email][type=email], button.profile-save[type=submit],
 *             button.profile-cancel                  (editing; prefilled from the visitor)
 *           p.profile-who[part=profile-who] > span.who ("Chatting as Ada · ada@example.com"),
 *             button.profile-edit                    (saved: the visitor has a name or email)
 *       li.msg[part=message]         one per message, sorted by (conversation, seq):
 *           data-role=visitor|ai|agent|system, data-id, data-seq, data-conversation
 *           (server messages), data-client-id, data-status=pending|sent|failed (visitor)
 *         > span.author (agents), div.text, div.files > a.file (img inside for images),
 *           data-at (created_at), data-time (shown after the text: "5 minutes ago") and a title
 *           (the full time),
 *           div.component[data-component=NAME], div.sources[part=sources] ("Source: <title>",
 *           AI answers from the knowledge base), span.note + button.retry[part=retry]
 *       li.msg[data-role=ai][data-draft=ID] > div.text   a streaming AI answer to message ID
 *           (`message.delta`), replaced by the final message
 *       li.csat[part=csat]           after the current conversation closed unrated:
 *         > p, div.scores > button[data-score=1..5][aria-pressed], textarea.comment, button.rate
 *         (replaced by "thanks" text once rated)
 *     div.typing[part=typing][data-role=ai|agent]                  hidden unless typing
 *     div.error[part=error][role=alert]                            hidden unless an error
 *     form.composer[part=composer] > button.attach[part=attach] (its title: the limits),
 *       input[type=file][accept] (the accepted types), textarea.input[part=input][aria-label],
 *       button.send[part=send]
 *     div.drop[part=drop]            drag-and-drop overlay
 *     div.powered[part=powered]
 */
import { showAvailability } from './availability.js';
import { setTimeLocale, showTimes } from './bubble.js';
import { onDrop, onKey, onPaste, onSubmit, pickFiles } from './composer.js';
import { config, page } from './context.js';
import { endConversation } from './csat.js';
import { el, formatText } from './dom.js';
import { clearInvalid, editProfile, relabelProfile, saveProfile, showProfile } from './profile.js';
import { close } from './shell.js';
import { setWords, t } from './strings.js';
import STYLE from './widget.css';
import { bytes } from './util.js';

// The panel's parts by name, filled in by buildView.
export const ui = {};
let errorHide, typingHide;

export function buildView() {
  const inline = page.opts.mode === 'inline', button = (className, props, ...kids) =>
    el('button', { type: 'button', className, ...props }, ...kids);
  Object.assign(ui, {
    name: el('h2', { className: 'name', part: 'name' }),
    subtitle: el('p', { className: 'subtitle', part: 'subtitle' }),
    availability: el('p', { className: 'availability', part: 'availability', hidden: true }),
    avatar: el('img', { className: 'avatar', part: 'avatar', alt: '', hidden: true }),
    closeBtn: button('close', { part: 'close', onclick: close }, '×'),
    endBtn: button('end', { part: 'end', hidden: true, onclick: endConversation }),
    status: el('div', { className: 'status', part: 'status' }),
    greeting: el('li', { className: 'greeting', part: 'greeting' }),
    pName: el('input', { className: 'profile-name', name: 'name', autocomplete: 'name', maxLength: 200, oninput: clearInvalid }),
    pEmail: el('input', { type: 'email', className: 'profile-email', name: 'email', autocomplete: 'email', maxLength: 254, oninput: clearInvalid }),
    pSave: el('button', { type: 'submit', className: 'profile-save' }),
    pCancel: button('profile-cancel', { onclick: () => showProfile() }),
    pOpen: button('profile-open', { part: 'profile-open', onclick: editProfile }),
    pWho: el('span', { className: 'who' }),
    pEdit: button('profile-edit', { onclick: editProfile }),
    typing: el('div', { className: 'typing', part: 'typing', hidden: true }),
    error: el('div', { className: 'error', part: 'error', role: 'alert', hidden: true }),
    file: el('input', { type: 'file', multiple: true, hidden: true, onchange: pickFiles }),
    input: el('textarea', { className: 'input', part: 'input', rows: 1, onkeydown: onKey, onpaste: onPaste }),
    sendBtn: el('button', { type: 'submit', className: 'send', part: 'send' }),
    drop: el('div', { className: 'drop', part: 'drop', hidden: true }),
    powered: el('div', { className: 'powered', part: 'powered' }),
  });
  ui.attach = button('attach', { part: 'attach', onclick: () => ui.file.click() }, '+');
  ui.pForm = el('form', { className: 'profile-form', part: 'profile-form', onsubmit: saveProfile }, ui.pName, ui.pEmail, ui.pSave, ui.pCancel);
  ui.pSaved = el('p', { className: 'profile-who', part: 'profile-who' }, ui.pWho, ui.pEdit);
  ui.profile = el('li', { className: 'profile', part: 'profile', hidden: true }, ui.pOpen, ui.pForm, ui.pSaved);
  ui.list = el('ol', { className: 'messages', part: 'messages', 'aria-live': 'polite' }, ui.greeting, ui.profile);
  ui.composer = el('form', { className: 'composer', part: 'composer', onsubmit: onSubmit }, ui.attach, ui.file, ui.input, ui.sendBtn);
  ui.panel = el('section', { className: 'panel', part: 'panel', role: 'dialog', hidden: !inline },
    el('header', { className: 'header', part: 'header' }, ui.avatar, el('div', { className: 'titles' }, ui.name, ui.subtitle, ui.availability),
      ui.endBtn, inline ? null : ui.closeBtn),
    ui.status, ui.list, ui.typing, ui.error, ui.composer, ui.drop, ui.powered);
  ui.greeting._k = -Infinity; // the sort keys of the timeline: these two always come first
  ui.profile._k = -Number.MAX_VALUE;
  page.root.append(el('style', null, STYLE), ui.panel);
  ui.panel.addEventListener('dragover', e => { e.preventDefault(); ui.drop.hidden = false; });
  ui.panel.addEventListener('dragleave', e => { if (e.target === ui.drop) ui.drop.hidden = true; });
  ui.panel.addEventListener('drop', onDrop);
  ui.panel.addEventListener('keydown', e => { if (e.key === 'Escape') close(); });
}

// The config (from /config, then every session) sets the words, look and limits shown.
export function applyConfig(c) {
  Object.assign(config, c);
  setWords(config.strings, page.opts.strings);
  setTimeLocale(config.locale || 'en');
  const { panel, avatar, subtitle, greeting, attach } = ui;
  panel.lang = config.locale || 'en';
  panel.dir = config.dir || 'ltr';
  panel.ariaLabel = ui.name.textContent = config.title || config.name;
  subtitle.textContent = config.subtitle || '';
  subtitle.hidden = !config.subtitle;
  avatar.hidden = !config.avatar_url;
  if (config.avatar_url) avatar.src = page.base + config.avatar_url;
  greeting.replaceChildren(formatText(config.greeting));
  greeting.hidden = !config.greeting;
  ui.list.ariaLabel = t('conversation');
  ui.input.placeholder = t('placeholder');
  ui.input.ariaLabel = t('inputLabel');
  ui.sendBtn.textContent = t('send');
  ui.endBtn.textContent = t('end');
  for (const [b, k] of [[attach, 'attach'], [ui.closeBtn, 'close']]) b.title = b.ariaLabel = t(k);
  if (config.max_files) {
    const limits = { count: config.max_files, max: bytes(config.max_upload_bytes), total: bytes(config.max_total_upload_bytes) };
    attach.title = attach.ariaLabel = t('attachLimits', limits);
  }
  ui.file.accept = [...(config.accepted_types || []), ...(config.accepted_extensions || [])].join(',');
  ui.typing.textContent = t('typing');
  ui.drop.textContent = t('drop');
  relabelProfile();
  ui.powered.textContent = t('poweredBy');
  applyLook();
  showTimes();
  showAvailability();
}

function applyLook() {
  const host = page.host;
  if (CSS.supports('color', config.theme_color)) {
    host.style.setProperty('--rd-accent', config.theme_color);
    host.style.setProperty('--rd-on-accent', config.accent_text);
  }
  if (config.position) host.dataset.position = config.position === 'left' ? 'left' : 'right';
  host.dataset.theme = config.theme || 'light';
}

export function setStatus(connecting) {
  ui.status.textContent = t('connecting');
  ui.status.hidden = !connecting;
}

export function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
  clearTimeout(errorHide);
  errorHide = setTimeout(() => { ui.error.hidden = true; }, 8000);
}

// "Typing…" from a `typing` frame; it goes by itself after 20 s without another.
export function showTyping(role, on) {
  ui.typing.dataset.role = role;
  ui.typing.hidden = !on;
  clearTimeout(typingHide);
  if (on) typingHide = setTimeout(() => { ui.typing.hidden = true; }, 20000);
}

export function scroll() {
  requestAnimationFrame(() => { ui.list.scrollTop = ui.list.scrollHeight; });
}
