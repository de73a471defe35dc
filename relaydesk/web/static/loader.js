/* relaydesk loader: window.Relaydesk, the launcher, widget.js on demand (see the README). */
(() => {
  'use strict';
  const stub = window.Relaydesk;
  if (stub && !stub.q) return;
  const script = document.currentScript, src = script ? script.src : '';
  const bus = {}, components = {}, queue = [], opts = {};
  let ctx, panel, loading, ready;

  // The stub itself becomes the API: a page may hold a reference to it.
  const R = window.Relaydesk = Object.assign(stub || {}, {
    init,
    open: () => call('open'),
    close: () => call('close'),
    toggle: () => call('toggle'),
    send: text => call('send', text),
    // Sessions are the panel's: identify() loads it.
    identify(token) {
      if (panel) return panel.identify(token);
      opts.identityToken = token;
      if (ctx) load();
    },
    visitor: () => ctx?.visitor || null,
    // "ready" is sticky: a later listener is called at once.
    on(name, cb) {
      (bus[name] ||= new Set()).add(cb);
      if (name === 'ready' && ready) setTimeout(() => cb(ready));
      return () => bus[name].delete(cb);
    },
    registerComponent(name, render) {
      components[name] = render;
      if (panel) panel.refresh(name);
    },
    _mount(factory) {
      panel = factory(ctx);
      for (const [method, arg] of queue.splice(0)) panel[method](arg);
    },
  });

  function emit(name, data) {
    if (name === 'ready') ready = data;
    for (const cb of [...(bus[name] || [])]) {
      try { cb(data); } catch (e) { setTimeout(() => { throw e; }); }
    }
  }

  function fail(e) {
    console.warn('relaydesk:', e.message);
    emit('error', { code: e.code || 'load_failed', message: e.message });
  }

  // Until widget.js has loaded, calls wait (open/send load it).
  function call(method, arg) {
    if (panel) return panel[method](arg);
    queue.push([method, arg]);
    if (ctx && method !== 'close') load();
  }

  async function init(options) {
    if (opts.widgetKey) return;
    const d = script ? script.dataset : {};
    Object.assign(opts, { widgetKey: d.widgetKey, mode: d.mode, target: d.target, apiBase: d.apiBase, locale: d.locale }, options);
    opts.locale ||= navigator.language || 'en';
    const base = (opts.apiBase ? new URL(opts.apiBase, location.href).href : new URL(src || location.href).origin)
      .replace(/\/+$/, '');
    if (document.readyState === 'loading') await new Promise(r => addEventListener('DOMContentLoaded', r));
    try {
      mount(base, await getConfig(base));
    } catch (e) {
      fail(e);
    }
  }

  // GET /config (strings in the visitor's language); offline, 5xx and 429 are retried.
  async function getConfig(base) {
    const q = new URLSearchParams({ widget_key: opts.widgetKey, locale: opts.locale });
    for (let i = 0; ; i++) {
      const ac = new AbortController(), timer = setTimeout(() => ac.abort(), 8000);
      let status = 0, error;
      try {
        const res = await fetch(`${base}/api/widget/v1/config?${q}`, { signal: ac.signal });
        if (res.ok) return await res.json();
        status = res.status;
        error = (await res.json()).error;
      } catch { /* retried below */ } finally { clearTimeout(timer); }
      if ((status && status < 500 && status !== 429) || i > 3) {
        throw Object.assign(new Error(`config: ${status || 'unreachable'}`), error);
      }
      await new Promise(r => setTimeout(r, 1000 * 2 ** i * (0.5 + Math.random() / 2)));
    }
  }

  function mount(base, config) {
    const inline = opts.mode === 'inline';
    const parent = inline ? document.querySelector(opts.target) : document.body;
    if (!parent) throw new Error(`no element ${opts.target}`);
    customElements.get('relaydesk-widget') || customElements.define('relaydesk-widget', class extends HTMLElement {});
    const host = document.createElement('relaydesk-widget'), root = host.attachShadow({ mode: 'open' });
    opts.mode = host.dataset.mode = inline ? 'inline' : 'floating';
    host.dataset.position = config.position === 'left' ? 'left' : 'right';
    if (CSS.supports('color', config.theme_color)) {
      host.style.setProperty('--rd-accent', config.theme_color);
      host.style.setProperty('--rd-on-accent', config.accent_text);
    }
    root.append(Object.assign(document.createElement('style'), { textContent: STYLE }));
    ctx = { opts, config, base, host, root, components, emit, badge() {} };
    if (!inline) root.append(launcher(config));
    parent.append(host);
    let open;
    try { open = localStorage.getItem(`relaydesk:${opts.widgetKey}:conv`); } catch { /* no storage */ }
    // A reply email's link (#relaydesk-reopen=…) opens its conversation.
    if (inline || open || /[#&]relaydesk-reopen=/.test(location.hash) || queue.length || opts.identityToken) load();
  }

  function launcher(config) {
    const button = document.createElement('button'), badge = document.createElement('span');
    button.className = 'launcher';
    button.dataset.icon = config.launcher_icon;
    button.setAttribute('part', 'launcher');
    button.setAttribute('aria-label', opts.strings?.open || config.strings?.open || 'Open chat');
    button.setAttribute('aria-expanded', false);
    button.onclick = R.toggle;
    if (config.launcher_icon === 'avatar') button.append(Object.assign(document.createElement('img'), { src: ctx.base + config.avatar_url, alt: '' }));
    badge.className = 'badge';
    badge.setAttribute('part', 'badge');
    badge.hidden = true;
    button.append(badge);
    ctx.badge = n => { badge.textContent = n; badge.hidden = !n; };
    return button;
  }

  // Loads widget.js (beside this file) once; a failed load is retried by the next call.
  function load() {
    loading ||= new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src ? new URL('widget.js', src).href + new URL(src).search : `${ctx.base}/static/widget.js`;
      s.onload = resolve;
      s.onerror = () => { loading = null; s.remove(); reject(new Error('widget.js did not load')); };
      document.head.append(s);
    }).catch(fail);
  }

  const STYLE = `:host{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;
font:14px/1.4 system-ui,sans-serif;color:#1f2328;--rd-accent:#2563eb;--rd-on-accent:#fff}
:host([data-position=left]){right:auto;left:20px}
.launcher{position:relative;width:56px;height:56px;border:0;padding:0;border-radius:50%;cursor:pointer;
background:var(--rd-accent);color:var(--rd-on-accent);box-shadow:0 4px 14px #0003;font:700 28px/56px system-ui,sans-serif}
[data-icon=chat]::before{content:'';position:absolute;inset:17px 15px 19px;background:currentColor;border-radius:5px}
[data-icon=chat]::after{content:'';position:absolute;left:19px;bottom:13px;border:5px solid transparent;
border-top-color:currentColor;border-left-color:currentColor}
[data-icon=question]::before{content:'?'}
.launcher img{display:block;width:100%;height:100%;border-radius:50%;object-fit:cover}
.badge{position:absolute;top:-4px;right:-4px;padding:0 6px;border-radius:10px;background:#d1242f;
color:#fff;font:600 12px/20px sans-serif}
[hidden]{display:none!important}`;

  for (const [method, args] of stub?.q || []) R[method]?.(...args);
  delete R.q;
  dispatchEvent(new Event('relaydesk:loaded'));
  if (script && script.dataset.widgetKey) init();
})();