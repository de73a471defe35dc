/* relaydesk chat panel, loaded on demand by loader.js (which owns window.Relaydesk, the
 * <relaydesk-widget> host element, its open shadow root and the launcher).
 *
 * DOM inside the shadow root (stable: browser tests and host CSS via ::part rely on it):
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
 *
 * Files: the ones picked, dropped or pasted together go in one message, checked first against
 * the limits in the config (max_files, max_upload_bytes each, max_total_upload_bytes,
 * accepted_types / accepted_extensions: what HubSpot's channel carries in one message).
 *
 * Read receipts: while the panel is open and the page visible, the highest agent message seq
 * shown is reported with POST /conversations/{id}/read {up_to_seq} (HubSpot then shows READ).
 *
 * File links: an attachment's URL works for config.attachment_url_ttl_s (an hour); before
 * that runs out, the history of each conversation shown with files is fetched again and the
 * fresh URLs are put into the links in place (the URLs in 'message' events expire likewise).
 *
 * Words: config.strings arrive translated into the visitor's language (the server merges the
 * shipped translations and the organization's overrides); init({strings}) overrides them.
 * Sends that failed for want of a connection go out by themselves when it returns, in order.
 * A rep's reply while the tab is hidden puts "(1) New message" in the tab title (restored when
 * the tab is shown again) and, if the organization turned it on, plays a short tone.
 */
(() => {
  'use strict';
  const API = '/api/widget/v1';
  const REL = 'noopener noreferrer nofollow';

  // ---- DOM building: elements and text nodes only, never HTML strings.
  function el(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v == null || v === false) continue;
      if (k in e && k !== 'part') e[k] = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    e.append(...kids.filter(k => k != null && k !== false));
    return e;
  }

  const str = v => (v == null ? '' : String(v));

  function safeUrl(url) {
    try {
      const u = new URL(str(url));
      return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
    } catch { return null; }
  }

  function link(url, ...kids) {
    return el('a', { href: url, target: '_blank', rel: REL }, ...kids);
  }

  // ---- Message formatting: **bold**, *italic*, `code`, line breaks, http(s) links.
  const INLINE = /(`[^`\n]+`)|\*\*([^*\n]+)\*\*|\*([^*\s][^*\n]*?)\*|(https?:\/\/[^\s<>"']+)/g;

  function formatText(text) {
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

  // ---- Components: host-registered renderers first, then the built-ins.
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

  function renderComponent(c, registry, send) {
    const own = (o, k) => (Object.hasOwn(o, k) ? o[k] : null);
    const render = own(registry, c.name) || own(BUILTIN, c.name);
    try {
      const node = render && render(c.data || {}, { send, text: str(c.text) });
      if (node instanceof Node) return node;
    } catch (e) {
      console.warn('relaydesk: component', c.name, e);
    }
    return null; // unknown or broken: the caller shows component.text
  }

  // ---- Small utilities.
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const backoff = i => Math.min(10000, 400 * 2 ** i) * (0.5 + Math.random() / 2);

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function storage(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch { return null; } // storage disabled: the session lasts as long as the page
  }

  function bytes(n) {
    return n >= 1048576 ? `${+(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
  }

  function createPanel(ctx) {
    const { opts, root, host, emit, components } = ctx;
    const base = ctx.base, inline = opts.mode === 'inline', tokenKey = `relaydesk:${opts.widgetKey}`;
    const shown = new Map(); // message id -> {m, li}
    const seen = new Set(); // "conversation:seq"
    const jobs = new Map(); // client_id -> pending send
    const drafts = new Map(); // visitor message id -> li of the AI answer streaming in
    const convs = []; // conversation ids in the order first seen
    const hi = {}, states = {}, rated = new Set();
    let config = {}, strings = {}, token = storage(tokenKey), cur = null;
    let isOpen = inline, unread = 0, quiet = true, ws = null, attempt = 0, retryTimer, deadTimer;
    let fresh = true, typingHide, errorHide, syncing = null, again = false;
    let me = null; // the visitor as the server last described it
    let rtf, pageTitle, notices = 0, availabilityTimer;

    const t = (key, vars) => str(strings[key] ?? key).replace(/\{(\w+)\}/g, (_, k) => str(vars?.[k]));

    // ---- View.
    const launcher = root.querySelector('.launcher');
    const name = el('h2', { className: 'name', part: 'name' });
    const subtitle = el('p', { className: 'subtitle', part: 'subtitle' });
    const availability = el('p', { className: 'availability', part: 'availability', hidden: true });
    const avatar = el('img', { className: 'avatar', part: 'avatar', alt: '', hidden: true });
    const closeBtn = el('button', { type: 'button', className: 'close', part: 'close', onclick: close }, '×');
    const endBtn = el('button', { type: 'button', className: 'end', part: 'end', hidden: true, onclick: endConversation });
    const status = el('div', { className: 'status', part: 'status' });
    const greeting = el('li', { className: 'greeting', part: 'greeting' });
    const pName = el('input', { className: 'profile-name', name: 'name', autocomplete: 'name', maxLength: 200, oninput: clearInvalid });
    const pEmail = el('input', { type: 'email', className: 'profile-email', name: 'email', autocomplete: 'email', maxLength: 254, oninput: clearInvalid });
    const pSave = el('button', { type: 'submit', className: 'profile-save' });
    const pCancel = el('button', { type: 'button', className: 'profile-cancel', onclick: () => showProfile() });
    const pForm = el('form', { className: 'profile-form', part: 'profile-form', onsubmit: saveProfile }, pName, pEmail, pSave, pCancel);
    const pOpen = el('button', { type: 'button', className: 'profile-open', part: 'profile-open', onclick: editProfile });
    const pWho = el('span', { className: 'who' });
    const pEdit = el('button', { type: 'button', className: 'profile-edit', onclick: editProfile });
    const pSaved = el('p', { className: 'profile-who', part: 'profile-who' }, pWho, pEdit);
    const profile = el('li', { className: 'profile', part: 'profile', hidden: true }, pOpen, pForm, pSaved);
    const list = el('ol', { className: 'messages', part: 'messages', 'aria-live': 'polite' }, greeting, profile);
    const typing = el('div', { className: 'typing', part: 'typing', hidden: true });
    const error = el('div', { className: 'error', part: 'error', role: 'alert', hidden: true });
    const file = el('input', { type: 'file', multiple: true, hidden: true, onchange: pickFiles });
    const attach = el('button', { type: 'button', className: 'attach', part: 'attach', onclick: () => file.click() }, '+');
    const input = el('textarea', { className: 'input', part: 'input', rows: 1, onkeydown: onKey, onpaste: onPaste });
    const sendBtn = el('button', { type: 'submit', className: 'send', part: 'send' });
    const composer = el('form', { className: 'composer', part: 'composer', onsubmit: onSubmit }, attach, file, input, sendBtn);
    const drop = el('div', { className: 'drop', part: 'drop', hidden: true });
    const powered = el('div', { className: 'powered', part: 'powered' });
    const panel = el('section', { className: 'panel', part: 'panel', role: 'dialog', hidden: !inline },
      el('header', { className: 'header', part: 'header' }, avatar, el('div', { className: 'titles' }, name, subtitle, availability),
        endBtn, inline ? null : closeBtn),
      status, list, typing, error, composer, drop, powered);
    greeting._k = -Infinity;
    profile._k = -Number.MAX_VALUE;
    root.append(el('style', null, STYLE), panel);
    panel.addEventListener('dragover', e => { e.preventDefault(); drop.hidden = false; });
    panel.addEventListener('dragleave', e => { if (e.target === drop) drop.hidden = true; });
    panel.addEventListener('drop', onDrop);
    panel.addEventListener('keydown', e => { if (e.key === 'Escape') close(); });
    applyConfig(ctx.config);
    setStatus(true);

    function applyConfig(c) {
      config = Object.assign(config, c);
      strings = Object.assign({}, config.strings, opts.strings);
      rtf = new Intl.RelativeTimeFormat(config.locale || 'en', { numeric: 'auto' });
      panel.lang = config.locale || 'en';
      panel.dir = config.dir || 'ltr';
      panel.ariaLabel = name.textContent = config.title || config.name;
      subtitle.textContent = config.subtitle || '';
      subtitle.hidden = !config.subtitle;
      avatar.hidden = !config.avatar_url;
      if (config.avatar_url) avatar.src = base + config.avatar_url;
      greeting.replaceChildren(formatText(config.greeting));
      greeting.hidden = !config.greeting;
      list.ariaLabel = t('conversation');
      input.placeholder = t('placeholder');
      input.ariaLabel = t('inputLabel');
      sendBtn.textContent = t('send');
      endBtn.textContent = t('end');
      for (const [b, k] of [[attach, 'attach'], [closeBtn, 'close']]) b.title = b.ariaLabel = t(k);
      if (config.max_files) {
        const limits = { count: config.max_files, max: bytes(config.max_upload_bytes), total: bytes(config.max_total_upload_bytes) };
        attach.title = attach.ariaLabel = t('attachLimits', limits);
      }
      file.accept = [...(config.accepted_types || []), ...(config.accepted_extensions || [])].join(',');
      typing.textContent = t('typing');
      drop.textContent = t('drop');
      pName.placeholder = pName.ariaLabel = t('profileName');
      pEmail.placeholder = pEmail.ariaLabel = t('profileEmail');
      pOpen.textContent = t('profileOffer');
      pSave.textContent = t('profileSave');
      pCancel.textContent = t('profileCancel');
      pEdit.textContent = t('profileEdit');
      if (me) showProfile(profile.dataset.state === 'editing' && 'editing'); // keep what is typed
      powered.textContent = t('poweredBy');
      if (CSS.supports('color', config.theme_color)) {
        host.style.setProperty('--rd-accent', config.theme_color);
        host.style.setProperty('--rd-on-accent', config.accent_text);
      }
      if (config.position) host.dataset.position = config.position === 'left' ? 'left' : 'right';
      host.dataset.theme = config.theme || 'light';
      showTimes();
      showAvailability();
    }

    // ---- Office hours: "We're here now", or when the team is next in, in the visitor's
    // language and time zone; the config is fetched again when that changes.
    function showAvailability() {
      const a = config.availability;
      clearTimeout(availabilityTimer);
      availability.hidden = !a;
      if (!a) return;
      availability.dataset.open = String(!!a.open);
      const next = a.next_open && new Date(a.next_open);
      availability.textContent = a.open ? t('availableNow') : next ? t('awayUntil', { when: nextTime(next) }) : t('away');
      if (a.changes_at) {
        const wait = Math.min(Math.max(new Date(a.changes_at) - Date.now(), 0) + 1000, 6 * 3600e3);
        availabilityTimer = setTimeout(refreshConfig, wait);
      }
    }

    function nextTime(at) {
      const soon = at - Date.now() < 6 * 864e5;
      const style = soon ? { weekday: 'long', hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' };
      return new Intl.DateTimeFormat(config.locale || 'en', style).format(at);
    }

    async function refreshConfig() {
      const locale = str(opts.locale || navigator.language || '').slice(0, 35);
      const query = `widget_key=${encodeURIComponent(opts.widgetKey)}&locale=${encodeURIComponent(locale)}`;
      try {
        applyConfig(await api('GET', `/config?${query}`));
      } catch {
        availabilityTimer = setTimeout(refreshConfig, 60000);
      }
    }

    function setStatus(connecting) {
      status.textContent = t('connecting');
      status.hidden = !connecting;
    }

    function showError(message) {
      error.textContent = message;
      error.hidden = false;
      clearTimeout(errorHide);
      errorHide = setTimeout(() => { error.hidden = true; }, 8000);
    }

    function scroll() {
      requestAnimationFrame(() => { list.scrollTop = list.scrollHeight; });
    }

    // Keeps the list sorted: conversations in the order seen, then seq; pending sends last.
    function place(li, key) {
      li._k = key;
      let ref = list.lastChild;
      while (ref && ref._k > key) ref = ref.previousSibling;
      ref.after(li);
      scroll();
    }

    const order = (conversation, seq) => (convs.indexOf(conversation) + 1) * 1e9 + seq;

    function messageEl(m, pendingFiles) {
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

    // ---- Message times: relative ("5 minutes ago", drawn by CSS from data-time so that the
    // message's text stays its text), the full time on hover; kept fresh.
    function showTime(li, iso = li.dataset.at) {
      const at = new Date(iso), s = (at - Date.now()) / 1000, a = Math.abs(s);
      const [n, unit] = a < 45 ? [0, 'second'] : a < 3600 ? [s / 60, 'minute'] : a < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
      li.dataset.at = iso;
      li.dataset.time = rtf.format(Math.round(n), unit);
      li.title = at.toLocaleString(panel.lang);
    }

    function showTimes() {
      list.querySelectorAll('[data-at]').forEach(li => showTime(li));
    }
    setInterval(showTimes, 30000);

    function fileEl(a) {
      const url = fileUrl(a);
      if (!url) return el('span', { className: 'file' }, str(a.name));
      const image = /^image\//.test(a.content_type);
      return el('a', { href: url, target: '_blank', rel: REL, className: 'file', 'data-attachment': str(a.id) },
        image ? el('img', { src: url, alt: str(a.name), onload: scroll }) : str(a.name));
    }

    function fileUrl(a) {
      const raw = str(a.url);
      return safeUrl(raw.startsWith('/') ? base + raw : raw);
    }

    // ---- File links expire: every URL shown was issued after filesAt, so all still work until
    // filesAt + TTL; at 80 % of it the histories are fetched again for fresh ones.
    let filesAt = Date.now(), filesTimer;
    const filesTtl = () => (config.attachment_url_ttl_s || 0) * 1000;
    function renewFilesLater(ms) {
      clearTimeout(filesTimer);
      if (filesTtl()) filesTimer = setTimeout(renewFiles, ms ?? Math.max(1000, filesAt + filesTtl() * 0.8 - Date.now()));
    }

    async function renewFiles() {
      const asked = Date.now();
      const ids = new Set([...shown.values()].filter(e => e.m.attachments?.length).map(e => e.m.conversation_id));
      try {
        for (const id of ids) {
          const r = await api('GET', `/conversations/${encodeURIComponent(id)}/messages?after_seq=0`);
          r.messages.forEach(renewLinks);
        }
        filesAt = asked;
        renewFilesLater();
      } catch {
        renewFilesLater(30000); // offline or refused: the links may lapse; try again shortly
      }
    }

    function renewLinks(m) {
      const entry = shown.get(m.id);
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

    function componentEl(c, text) {
      const node = renderComponent(c, components, send);
      const box = el('div', { className: 'component', 'data-component': str(c.name) });
      if (node) box.append(node);
      else if (c.text && c.text !== text) box.append(formatText(c.text));
      return box;
    }

    // ---- Messages: shown once per id and per (conversation, seq), whatever the source.
    let readTimer, readUpTo = {};
    function markRead() { // debounced; only what the visitor can actually see counts as read
      clearTimeout(readTimer);
      readTimer = setTimeout(() => {
        if (!isOpen || document.visibilityState !== 'visible' || !cur) return;
        let top = 0;
        for (const { m } of shown.values()) if (m.conversation_id === cur && m.role === 'agent') top = Math.max(top, m.seq);
        const c = cur;
        if (top <= (readUpTo[c] || 0)) return;
        readUpTo[c] = top;
        api('POST', `/conversations/${c}/read`, { up_to_seq: top }).catch(() => { readUpTo[c] = 0; });
      }, 300);
    }

    function add(m) {
      const c = m.conversation_id, seqKey = `${c}:${m.seq}`;
      if (shown.has(m.id)) return move(shown.get(m.id), m);
      if (seen.has(seqKey)) return;
      const job = jobs.get(m.client_id);
      if (job) { jobs.delete(m.client_id); job.li.remove(); }
      if (!convs.includes(c)) convs.push(c);
      if (m.seq === (hi[c] || 0) + 1) hi[c] = m.seq; // contiguous only, so a gap is refetched
      const li = messageEl(m);
      shown.set(m.id, { m, li });
      seen.add(seqKey);
      place(li, order(c, m.seq));
      if (m.role !== 'visitor') { typing.hidden = true; clearDrafts(); }
      if (!quiet && !isOpen && m.role !== 'visitor') ctx.badge(++unread);
      if (m.role === 'agent') { markRead(); if (!quiet) notice(); }
      emit('message', {
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
      if (m.seq === (hi[c] || 0) + 1) hi[c] = m.seq;
      place(entry.li, order(c, m.seq));
    }

    // ---- A rep's reply in a background tab: a count in the tab title, and a tone if wanted.
    function notice() {
      if (document.visibilityState !== 'hidden') return;
      if (!notices) pageTitle = document.title;
      document.title = `(${++notices}) ${t('newMessage')}`;
      if (config.notify_sound) tone();
    }

    function noticed() {
      if (notices) document.title = pageTitle;
      notices = 0;
    }

    function tone() {
      try {
        const a = new AudioContext(), o = a.createOscillator(), g = a.createGain();
        g.gain.value = 0.08;
        o.frequency.value = 880;
        o.connect(g).connect(a.destination);
        o.onended = () => a.close();
        o.start();
        o.stop(a.currentTime + 0.15);
      } catch { /* no audio: the title says it */ }
    }
    addEventListener('focus', noticed);

    // Streaming: partial AI text in a provisional bubble under the message it answers.
    function draft(replyTo, text) {
      let li = drafts.get(replyTo);
      if (!li) {
        li = el('li', { className: 'msg', part: 'message', 'data-role': 'ai', 'data-draft': replyTo });
        drafts.set(replyTo, li);
        const asked = shown.get(replyTo);
        place(li, asked ? asked.li._k + 0.5 : Infinity);
      }
      li.replaceChildren(el('div', { className: 'text' }, formatText(str(text))));
      typing.hidden = true;
      scroll();
    }

    function clearDrafts() {
      for (const li of drafts.values()) li.remove();
      drafts.clear();
    }

    function refresh(componentName) {
      for (const entry of shown.values()) {
        if (entry.m.component?.name !== componentName) continue;
        const li = messageEl(entry.m);
        li._k = entry.li._k;
        entry.li.replaceWith(li);
        entry.li = li;
      }
    }

    // A conversation's state moves forward (ai → pending_human → human → closed): an answer
    // computed before a pushed update (a history fetch racing the socket) must not undo it. The
    // one way back is a reopen in HubSpot, pushed as conversation.updated (`pushed`).
    const RANK = { ai: 0, pending_human: 1, human: 2, closed: 3 };
    function track(c, pushed = false) {
      if (!c) return;
      const prev = states[c.id], human = s => s === 'pending_human' || s === 'human';
      const reopened = pushed && prev === 'closed' && human(c.state);
      if (prev && RANK[c.state] < RANK[prev] && !reopened) return;
      if (reopened) { list.querySelectorAll('.csat').forEach(n => n.remove()); rated.delete(c.id); }
      states[c.id] = c.state;
      if (c.id === cur) {
        showState();
        offerCsat(c);
      }
      if (quiet || prev === c.state) return;
      if (human(c.state) && !human(prev)) emit('handoff', { conversationId: c.id, state: c.state });
      if (c.state === 'closed') emit('conversation.closed', { conversationId: c.id });
    }

    function showState() {
      const state = states[cur];
      if (state) panel.dataset.state = state;
      endBtn.hidden = !cur || state === 'closed';
      // loader.js loads the panel at once on the next page while a conversation is open.
      storage(`${tokenKey}:conv`, cur && state !== 'closed' ? cur : null);
    }

    function switchTo(id) {
      if (!id || id === cur) return syncing;
      cur = id;
      if (!convs.includes(id)) convs.push(id);
      showState();
      return sync();
    }

    // HTTP history is the truth: fetch everything after the contiguous seq shown.
    function sync() {
      if (syncing) { again = true; return syncing; }
      syncing = (async () => {
        do {
          again = false;
          const id = cur;
          if (!id) break;
          const r = await api('GET', `/conversations/${encodeURIComponent(id)}/messages?after_seq=${hi[id] || 0}`);
          r.messages.forEach(add);
          const last = r.messages[r.messages.length - 1];
          if (last && last.seq > (hi[id] || 0)) hi[id] = last.seq;
          track(r.conversation);
        } while (again);
      })().catch(() => {}).finally(() => { syncing = null; });
      return syncing;
    }

    // ---- HTTP: every call has a timeout; network errors, 5xx and 429 are retried with backoff.
    async function api(method, path, body, { timeout = 10000, tries = 3 } = {}) {
      for (let i = 1; ; i++) {
        let r;
        try {
          r = await request(method, path, body, timeout);
        } catch (e) {
          if (i >= tries) throw Object.assign(new Error(e.message), { code: 'network' });
          await sleep(backoff(i));
          continue;
        }
        if (r.status < 300) return r.data;
        const err = r.data?.error || {};
        const e = Object.assign(new Error(err.message || `HTTP ${r.status}`), { status: r.status, code: err.code });
        if (r.status === 401 && path !== '/sessions' && i < tries) { await startSession(); continue; }
        if ((r.status < 500 && r.status !== 429) || i >= tries || r.wait > 10000) throw e; // e.g. a day's upload quota
        await sleep(r.wait || backoff(i));
      }
    }

    // The timeout covers the whole exchange, body included; a body that is not JSON is retried.
    async function request(method, path, body, timeout) {
      const ac = new AbortController(), timer = setTimeout(() => ac.abort(), timeout);
      const headers = token ? { Authorization: `Bearer ${token}` } : {};
      if (body && !(body instanceof FormData)) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(body);
      }
      try {
        const res = await fetch(base + API + path, { method, headers, body, signal: ac.signal });
        const text = await res.text();
        return { status: res.status, data: text ? JSON.parse(text) : null, wait: res.headers.get('retry-after') * 1000 };
      } finally {
        clearTimeout(timer);
      }
    }

    // ---- Session: a refused identity token falls back to the anonymous session, a refused
    // visitor token to a new visitor. One request at a time, each built from the answer before
    // it: a session started on a reconnect while identify() runs cannot answer last with the
    // anonymous visitor and take the identity back.
    let sessionQueue = Promise.resolve();
    function startSession() {
      const next = sessionQueue.then(newSession, newSession);
      sessionQueue = next.catch(() => {});
      return next;
    }

    // A reply email's link: #relaydesk-reopen=<token> opens that conversation here, once.
    let reopenToken = (location.hash.match(/[#&]relaydesk-reopen=([\w.%-]+)/) || [])[1];
    async function newSession() {
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
          storage(tokenKey, token);
          known(s.visitor);
          applyConfig(s.config);
          return s;
        } catch (e) {
          if (e.status !== 401 || !(body.identity_token || body.visitor_token)) throw e;
          if (body.identity_token) {
            emit('error', { code: 'identity_rejected', message: e.message });
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
    function known(v) {
      me = v;
      ctx.visitor = { id: v.id, verified: !!v.verified, email: v.email ?? null, name: v.name ?? null };
    }

    // An origin the organization does not allow: nothing stays on the page, the console says why.
    function refuse(message) {
      quiet = true;
      clearTimeout(retryTimer);
      dropSocket();
      host.remove();
      console.warn('relaydesk:', message);
    }

    async function begin(s) {
      const c = s.conversation;
      await switchTo(c && c.id);
      track(c);
    }

    const started = (async () => {
      for (let i = 1; ; i++) {
        try {
          const s = await startSession();
          await begin(s);
          quiet = false;
          setStatus(false);
          emit('ready', { visitor: s.visitor, conversationId: cur });
          connect();
          renewFilesLater();
          return;
        } catch (e) {
          if (e.status && e.status < 500 && e.status !== 429) {
            if (e.code === 'origin_not_allowed') refuse(e.message);
            else showError(e.message);
            emit('error', { code: e.code || 'session_failed', message: e.message });
            throw e;
          }
          await sleep(backoff(i));
        }
      }
    })();
    started.catch(() => {});

    async function identify(identityToken) {
      opts.identityToken = identityToken;
      await started;
      const s = await startSession();
      quiet = true;
      for (const { li } of shown.values()) li.remove();
      list.querySelectorAll('.csat').forEach(n => n.remove());
      shown.clear();
      seen.clear();
      rated.clear();
      convs.length = 0;
      cur = null;
      for (const k in hi) delete hi[k];
      try { await begin(s); } finally { quiet = false; }
      reconnectNow();
    }

    // ---- WebSocket: an optimisation over HTTP; every (re)connect resyncs from HTTP.
    function connect() {
      clearTimeout(retryTimer);
      if (ws || !token) return;
      let s;
      try {
        s = ws = new WebSocket(`${base.replace(/^http/, 'ws')}${API}/ws?token=${encodeURIComponent(token)}`);
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
        return emit('error', { code: 'origin_not_allowed', message: 'origin not allowed' });
      }
      if (attempt > 1) setStatus(true);
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => (code === 4401 ? startSession() : Promise.resolve()).catch(() => {}).then(connect), backoff(attempt++));
      if (cur) sync(); // keep messages flowing over HTTP while the socket is down
    }

    function reconnectNow() {
      attempt = 0;
      dropSocket();
      connect();
    }

    function dropSocket() {
      clearTimeout(deadTimer);
      if (ws) { ws.onclose = null; ws.close(); ws = null; }
    }

    function wsSend(frame) {
      if (ws && ws.readyState === 1) ws.send(JSON.stringify(frame));
    }

    // A socket that does not answer a ping within 10 s is dead (sleep, network change).
    function ping() {
      if (!ws || ws.readyState !== 1) return;
      wsSend({ type: 'ping' });
      clearTimeout(deadTimer);
      const s = ws;
      deadTimer = setTimeout(() => { if (ws === s) { dropSocket(); reconnectLater(); } }, 10000);
    }

    function onFrame(f) {
      if (f.type === 'hello') {
        attempt = 0;
        setStatus(false);
        resend();
        if (cur) sync();
        else if (!fresh) startSession().then(begin).catch(() => {}); // one may have started elsewhere
        fresh = false;
      } else if (f.type === 'message.created') {
        const m = f.message, c = m.conversation_id;
        if (!convs.includes(c)) switchTo(c); // a new conversation, e.g. made by our first message
        if (c !== cur || m.seq <= (hi[c] || 0) + 1) add(m);
        else sync(); // a gap: HTTP fills it in, in order
      } else if (f.type === 'message.delta') {
        draft(f.reply_to_id, f.text);
      } else if (f.type === 'typing') {
        typing.dataset.role = f.role;
        typing.hidden = !f.on;
        clearTimeout(typingHide);
        if (f.on) typingHide = setTimeout(() => { typing.hidden = true; }, 20000);
      } else if (f.type === 'conversation.updated') {
        track(f.conversation, true);
      }
    }

    setInterval(ping, 25000);
    addEventListener('online', () => { if (!quiet) { reconnectNow(); resend(); } });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') noticed();
      if (quiet || document.visibilityState !== 'visible') return;
      markRead();
      if (ws) { ping(); sync(); } else reconnectNow();
      if (filesTtl() && Date.now() - filesAt > filesTtl() * 0.8) renewFiles(); // timers slept
    });

    // ---- The end of a conversation: the visitor may end it; then a CSAT card (1-5, a comment
    // prompted for 1-2) until it is rated. The server posts the "ended" system message itself.
    async function endConversation() {
      endBtn.disabled = true;
      try {
        track(await api('POST', `/conversations/${encodeURIComponent(cur)}/close`));
      } catch (e) {
        showError(e.message);
      } finally {
        endBtn.disabled = false;
      }
    }

    function offerCsat(c) {
      if (c.state !== 'closed' || c.csat_score != null || rated.has(c.id)) return;
      rated.add(c.id);
      let score = 0;
      const comment = el('textarea', { className: 'comment', rows: 2, maxLength: 2000, hidden: true, ariaLabel: t('csatComment') });
      const submit = el('button', { type: 'submit', className: 'rate', hidden: true }, t('csatSend'));
      const scores = [1, 2, 3, 4, 5].map(n => el('button', {
        type: 'button', 'data-score': n, 'aria-pressed': 'false', ariaLabel: t('csatScore', { score: n }), onclick: () => pick(n),
      }, String(n)));
      const card = el('li', { className: 'csat', part: 'csat' }, el('form', { onsubmit: rate },
        el('p', null, t('csatQuestion')), el('div', { className: 'scores' }, ...scores), comment, submit));
      place(card, order(c.id, 1e9 - 1));

      function pick(n) {
        score = n;
        scores.forEach((b, i) => b.setAttribute('aria-pressed', i + 1 === n));
        comment.hidden = submit.hidden = false;
        comment.placeholder = comment.ariaLabel = t(n <= 2 ? 'csatWhy' : 'csatComment');
        if (n <= 2) comment.focus();
      }

      async function rate(e) {
        e.preventDefault();
        submit.disabled = true;
        try {
          await api('POST', `/conversations/${encodeURIComponent(c.id)}/csat`, { score, comment: comment.value.trim() || undefined });
        } catch (err) {
          submit.disabled = false;
          if (err.code !== 'already_rated') return showError(err.message); // rated in another tab
        }
        card.replaceChildren(t('csatThanks'));
      }
    }

    // ---- "About you": an optional name and email, stored unverified. Verified visitors
    // (identity token) are known already, so they never see it.
    function showProfile(state) {
      const v = me || {}, who = [v.name, v.email].filter(Boolean).join(' · ');
      state = state || (who ? 'saved' : 'offer');
      profile.hidden = !me || !!v.verified;
      profile.dataset.state = state;
      pOpen.hidden = state !== 'offer';
      pForm.hidden = state !== 'editing';
      pSaved.hidden = state !== 'saved';
      pWho.textContent = t('chattingAs', { who });
    }

    function editProfile() {
      pName.value = str(me?.name);
      pEmail.value = str(me?.email);
      clearInvalid();
      showProfile('editing');
      pName.focus();
    }

    function clearInvalid() {
      pName.setCustomValidity('');
    }

    async function saveProfile(e) {
      e.preventDefault();
      const body = { name: pName.value.trim() || undefined, email: pEmail.value.trim() || undefined };
      if (!body.name && !body.email) {
        pName.setCustomValidity(t('profileEmpty'));
        return pForm.reportValidity();
      }
      pSave.disabled = true;
      try {
        await started;
        known((await api('POST', '/profile', body)).visitor);
        showProfile();
        emit('profile', { name: me.name, email: me.email });
      } catch (err) {
        showError(err.message); // the form stays open: Save again to retry
        emit('error', { code: err.code || 'profile_failed', message: err.message });
      } finally {
        pSave.disabled = false;
      }
    }

    // ---- Sending: shown at once as pending, matched to the server's message by client_id.
    function send(text, uploads = []) {
      text = str(text).trim();
      if (!text && !uploads.length) return;
      const refused = refusal(text, uploads);
      if (refused) {
        showError(refused[1]);
        emit('error', { code: refused[0], message: refused[1] });
        return false;
      }
      const job = { id: uuid(), text, uploads: [...uploads], ids: [] };
      job.li = messageEl({ role: 'visitor', text, client_id: job.id }, uploads);
      job.li.append(el('span', { className: 'note' }, t('failed')),
        el('button', { type: 'button', className: 'retry', part: 'retry', onclick: () => deliver(job) }, t('retry')));
      jobs.set(job.id, job);
      place(job.li, Infinity);
      deliver(job);
      return true;
    }

    // The limits of one message (HubSpot's channel carries the same): [code, message] or null.
    function refusal(text, files) {
      const c = config, total = files.reduce((n, f) => n + f.size, 0);
      const big = c.max_upload_bytes && files.find(f => f.size > c.max_upload_bytes);
      const odd = files.find(f => !accepted(f));
      if (c.max_text_length && text.length > c.max_text_length) return ['text_too_long', t('tooLong', { max: c.max_text_length })];
      if (c.max_files && files.length > c.max_files) return ['too_many_files', t('tooManyFiles', { max: c.max_files })];
      if (big) return ['upload_too_large', t('uploadTooLarge', { name: big.name, max: bytes(c.max_upload_bytes) })];
      if (odd) return ['unsupported_file', t('fileType', { name: odd.name })];
      if (c.max_total_upload_bytes && total > c.max_total_upload_bytes) {
        return ['files_too_large', t('filesTooLarge', { max: bytes(c.max_total_upload_bytes) })];
      }
      return null;
    }

    function accepted(f) {
      if (!config.accepted_types) return true;
      const ext = (/\.[^.]+$/.exec(f.name.toLowerCase()) || [''])[0];
      return config.accepted_types.includes(f.type) || (config.accepted_extensions || []).includes(ext);
    }

    // One send at a time, in the order typed: the server numbers messages as they arrive.
    let sending = Promise.resolve();
    function deliver(job) {
      job.li.dataset.status = 'pending';
      sending = sending.then(() => deliverNow(job));
      return sending;
    }

    async function deliverNow(job) {
      if (!jobs.has(job.id)) return; // delivered meanwhile
      try {
        await started;
        while (job.uploads.length) { // a retry goes on with the files not uploaded yet
          const form = new FormData(), next = job.uploads[0];
          form.append('file', next, next.name);
          job.ids.push((await api('POST', '/uploads', form, { timeout: 60000, tries: 2 })).id);
          job.uploads.shift();
        }
        const m = await api('POST', '/messages', { client_id: job.id, text: job.text, attachment_ids: job.ids });
        switchTo(m.conversation_id);
        add(m);
      } catch (e) {
        if (!jobs.has(job.id)) return; // the socket already delivered it
        job.li.dataset.status = 'failed';
        job.auto = !e.status || e.status >= 500 || e.status === 429; // resent when back online
        if (e.status) showError(e.message);
        emit('error', { code: e.code || 'send_failed', message: e.message });
      }
    }

    // The connection is back: sends that failed for want of it go out again, in the order typed
    // (each once: the client_id makes a repeat harmless, and a job in flight is not failed).
    function resend() {
      for (const job of jobs.values()) if (job.auto && job.li.dataset.status === 'failed') deliver(job);
    }

    function onSubmit(e) {
      e.preventDefault();
      if (send(input.value)) input.value = '';
    }

    function onKey(e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) onSubmit(e);
    }

    function sendFiles(files) {
      send('', [...files]);
    }

    function pickFiles() {
      sendFiles(file.files);
      file.value = '';
    }

    function onDrop(e) {
      e.preventDefault();
      drop.hidden = true;
      sendFiles(e.dataTransfer.files);
    }

    function onPaste(e) {
      const files = e.clipboardData && e.clipboardData.files;
      if (files && files.length) { e.preventDefault(); sendFiles(files); }
    }

    // ---- Open / close (floating mode; inline is always open).
    function open() {
      if (isOpen) return;
      isOpen = true;
      panel.hidden = false;
      launcher?.setAttribute('aria-expanded', true);
      ctx.badge(unread = 0);
      emit('open');
      markRead();
      scroll();
      input.focus();
    }

    function close() {
      if (inline || !isOpen) return;
      const focused = panel.contains(root.activeElement);
      isOpen = false;
      panel.hidden = true;
      launcher?.setAttribute('aria-expanded', false);
      if (focused) launcher?.focus(); // keyboard users carry on where they opened it
      emit('close');
    }

    return { open, close, toggle: () => (isOpen ? close() : open()), send: text => send(text), identify, refresh };
  }

  const STYLE = `:host{--rd-bg:#fff;--rd-fg:#1f2328;--rd-muted:#57606a;--rd-bubble:#f0f2f5;--rd-agent:#e6f4ea;--rd-line:#d0d7de;--rd-soft:#f6f8fa;--rd-warn:#fff8c5;--rd-err-bg:#ffebe9;--rd-err:#82071e}
:host([data-theme=dark]){--rd-bg:#1c2128;--rd-fg:#e6edf3;--rd-muted:#a8b1bb;--rd-bubble:#2d333b;--rd-agent:#1d3b2a;--rd-line:#545d68;--rd-soft:#22272e;--rd-warn:#4b3b0e;--rd-err-bg:#4c1419;--rd-err:#ffc1bd}
@media(prefers-color-scheme:dark){:host([data-theme=auto]){--rd-bg:#1c2128;--rd-fg:#e6edf3;--rd-muted:#a8b1bb;--rd-bubble:#2d333b;--rd-agent:#1d3b2a;--rd-line:#545d68;--rd-soft:#22272e;--rd-warn:#4b3b0e;--rd-err-bg:#4c1419;--rd-err:#ffc1bd}}
:host([data-mode=inline]){position:relative;inset:auto;z-index:auto;display:block;height:100%;min-height:420px}
.panel{position:absolute;bottom:72px;right:0;width:370px;height:min(600px,calc(100vh - 110px));
display:flex;flex-direction:column;background:var(--rd-bg);color:var(--rd-fg);border-radius:14px;box-shadow:0 10px 40px #0003;overflow:hidden}
:host([data-position=left]) .panel{right:auto;left:0}
:host([data-mode=inline]) .panel{position:relative;bottom:auto;width:auto;height:100%;box-shadow:none;border:1px solid var(--rd-line);box-sizing:border-box}
@media(max-width:480px){:host([data-mode=floating]) .panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0}}
.header{display:flex;align-items:center;gap:10px;padding:12px 16px;background:var(--rd-accent);color:var(--rd-on-accent)}
.avatar{width:36px;height:36px;border-radius:50%;object-fit:cover;background:var(--rd-bg)}
.titles{flex:1;min-width:0}
.name{margin:0;font-size:16px}
.subtitle{margin:0;font-size:12px}
.availability{margin:0;font-size:12px;opacity:.9}
.availability::before{content:"";display:inline-block;width:7px;height:7px;border-radius:50%;margin-inline-end:5px;background:#9aa0a6}
.availability[data-open=true]::before{background:#2fbf71}
button{font:inherit;cursor:pointer;color:inherit}
:focus-visible{outline:2px solid var(--rd-fg);outline-offset:1px}
.header :focus-visible{outline-color:currentColor}
a{color:inherit}
.close{background:none;border:0;font-size:22px;line-height:1}
.status,.error{padding:6px 16px;font-size:12px;background:var(--rd-warn)}
.error{background:var(--rd-err-bg);color:var(--rd-err)}
.messages{flex:1;overflow-y:auto;margin:0;padding:12px;list-style:none;display:flex;flex-direction:column;gap:8px}
.msg,.greeting{max-width:85%;padding:8px 12px;border-radius:12px;background:var(--rd-bubble);overflow-wrap:anywhere;align-self:flex-start}
.msg[data-role=agent]{background:var(--rd-agent)}
.msg[data-role=visitor]{align-self:flex-end;background:var(--rd-accent);color:var(--rd-on-accent)}
.msg[data-role=system]{align-self:center;background:none;color:var(--rd-muted);font-size:12px;text-align:center}
.msg[data-time]::after{content:attr(data-time);display:block;margin-top:2px;font-size:11px;color:var(--rd-muted)}
.msg[data-role=visitor]::after{color:inherit;text-align:right}
.end{background:none;border:1px solid currentColor;border-radius:6px;font-size:12px}
.csat{align-self:stretch;padding:10px;border-radius:12px;background:var(--rd-soft);text-align:center}
.csat p{margin:0 0 6px}
.profile{align-self:stretch;font-size:13px;color:var(--rd-muted)}
.profile p{margin:0}
.profile-open,.profile-edit{background:none;border:0;padding:0;text-decoration:underline;text-align:left}
.profile-edit{margin-left:6px}
.profile-form{display:flex;flex-wrap:wrap;gap:6px}
input,textarea{font:inherit;color:inherit;background:var(--rd-bg);border:1px solid var(--rd-line);border-radius:8px;padding:6px}
::placeholder{color:var(--rd-muted);opacity:1}
.profile-form input{flex:1 1 140px;min-width:0}
.profile-save,.rate,.send,.scores [aria-pressed=true]{border:0;border-radius:8px;padding:6px 12px;background:var(--rd-accent);color:var(--rd-on-accent)}
.profile-cancel{border:1px solid var(--rd-line);border-radius:8px;padding:6px 12px;background:var(--rd-bg)}
.scores{display:flex;justify-content:center;gap:6px;margin-bottom:6px}
.scores button{width:34px;height:34px;padding:0;border:1px solid var(--rd-line);border-radius:50%;background:var(--rd-bg)}
.comment{display:block;width:100%;box-sizing:border-box;margin-bottom:6px}
.msg[data-status=pending]{opacity:.6}
.msg[data-status=failed]{background:var(--rd-err-bg);color:var(--rd-err)}
.msg:not([data-status=failed]) :is(.note,.retry){display:none}
.author{display:block;font-size:12px;font-weight:600}
.note{font-size:12px}
.retry{margin-left:6px;border:1px solid currentColor;background:none;border-radius:6px;font-size:12px}
code{font-family:ui-monospace,monospace;background:#8883;padding:0 3px;border-radius:4px}
.file{display:block}
.file img,.card img{display:block;max-width:100%;max-height:200px;border-radius:8px}
.component{margin-top:6px}
.sources{margin-top:4px;font-size:12px}
.card p{margin:4px 0 0}
ul{margin:4px 0;padding-left:18px}
small{display:block}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid var(--rd-line);padding:3px 6px;text-align:left}
.buttons{display:flex;flex-wrap:wrap;gap:6px}
.buttons strong{flex-basis:100%}
.buttons button{border:1px solid var(--rd-accent);background:var(--rd-bg);border-radius:16px;padding:4px 12px}
.buttons button:disabled{opacity:.5;cursor:default}
.typing{padding:0 16px 6px;font-size:12px;color:var(--rd-muted)}
.composer{display:flex;align-items:flex-end;gap:6px;padding:8px;border-top:1px solid var(--rd-line)}
.input{flex:1;resize:none;padding:8px;field-sizing:content;max-height:120px}
.send{padding:8px 12px}
.attach{background:none;border:1px solid var(--rd-line);border-radius:8px;width:36px;height:36px;font-size:20px;color:var(--rd-muted)}
.drop{position:absolute;inset:0;display:grid;place-items:center;background:var(--rd-bg);opacity:.95;border:2px dashed var(--rd-accent);font-weight:600}
.powered{text-align:center;font-size:11px;color:var(--rd-muted);padding-bottom:6px}`;

  window.Relaydesk._mount(createPanel);
})();
