/* relaydesk loader: window.Relaydesk, the launcher, and widget.js loaded on demand.
 * <script src=".../static/loader.js" data-widget-key="K" async> (data-mode="inline",
 * data-target, data-api-base optional); else Relaydesk.init({widgetKey, …}) after the
 * window's "relaydesk:loaded" event. Calls made before the panel loads are replayed. */
(() => {
  'use strict';
  if (window.Relaydesk && window.Relaydesk.version) return;
  const script = document.currentScript;
  const src = script ? script.src : '';
  const bus = {}, components = {}, queue = [], early = {};
  let opts, ctx, panel, loading;

  const R = window.Relaydesk = {
    version: '1',
    init,
    open: () => call('open'),
    close: () => call('close'),
    toggle: () => call('toggle'),
    send: text => call('send', text),
    identify: token => panel ? panel.identify(token) : ((opts || early).identityToken = token),
    on(name, cb) {
      (bus[name] ||= new Set()).add(cb);
      return () => bus[name].delete(cb);
    },
    registerComponent(name, render) {
      components[name] = render;
      if (panel) panel.refresh(name);
    },
    _mount,
  };

  function emit(name, data) {
    for (const cb of [...(bus[name] || [])]) {
      try { cb(data); } catch (e) { setTimeout(() => { throw e; }); }
    }
  }

  function fail(e) {
    console.warn('relaydesk:', e.message);
    emit('error', { code: e.code || 'load_failed', message: e.message });
  }

  function call(method, arg) {
    if (panel) return panel[method](arg);
    queue.push([method, arg]);
    if (ctx && method !== 'close') load();
  }

  async function init(options) {
    if (opts) return;
    const ds = script ? script.dataset : {};
    opts = Object.assign({ widgetKey: ds.widgetKey, mode: ds.mode, target: ds.target,
      apiBase: ds.apiBase || (src && new URL(src).origin) }, early, options);
    opts.mode = opts.mode === 'inline' ? 'inline' : 'floating';
    const base = new URL(opts.apiBase || location.origin, location.href).href.replace(/\/+$/, '');
    if (document.readyState === 'loading') {
      await new Promise(r => document.addEventListener('DOMContentLoaded', r, { once: true }));
    }
    let config = {};
    try {
      config = await getConfig(base);
    } catch (e) {
      fail(e);
      if (e.status) return; // an unknown widget key: show nothing
    }
    mount(base, config);
  }

  async function getConfig(base) {
    const url = `${base}/api/widget/v1/config?widget_key=${encodeURIComponent(opts.widgetKey)}`;
    for (let i = 0; ; i++) {
      const ac = new AbortController(), timer = setTimeout(() => ac.abort(), 8000);
      let status = 0;
      try {
        const res = await fetch(url, { signal: ac.signal });
        if (res.ok) return await res.json();
        status = res.status;
      } catch { /* offline or timed out: retried below */ } finally { clearTimeout(timer); }
      if ((status && status < 500 && status !== 429) || i > 2) {
        throw Object.assign(new Error(`config ${status || 'unreachable'}`), { status });
      }
      await new Promise(r => setTimeout(r, 1000 * 2 ** i * (0.5 + Math.random() / 2)));
    }
  }

  function mount(base, config) {
    const inline = opts.mode === 'inline';
    let parent = document.body;
    try { if (inline) parent = document.querySelector(opts.target); } catch { parent = null; }
    if (!parent) return fail(new Error(`target not found: ${opts.target}`));
    if (!customElements.get('relaydesk-widget')) {
      customElements.define('relaydesk-widget', class extends HTMLElement {});
    }
    const host = document.createElement('relaydesk-widget');
    host.dataset.mode = opts.mode;
    host.dataset.position = config.position === 'left' ? 'left' : 'right';
    if (CSS.supports('color', config.theme_color)) host.style.setProperty('--rd-accent', config.theme_color);
    const root = host.attachShadow({ mode: 'open' });
    root.append(Object.assign(document.createElement('style'), { textContent: STYLE }));
    ctx = { opts, config, base, host, root, components, emit, badge() {} };
    if (!inline) root.append(launcher(config));
    parent.append(host);
    if (inline || queue.length || stored(`relaydesk:${opts.widgetKey}:conv`)) load();
  }

  function launcher(config) {
    const button = el('button', 'launcher'), badge = el('span', 'badge');
    const label = (opts.strings || {}).open || (config.strings || {}).open || 'Open chat';
    button.type = 'button';
    button.setAttribute('aria-label', label);
    button.setAttribute('aria-expanded', 'false');
    button.onclick = R.toggle;
    badge.hidden = true;
    button.append(icon(), badge);
    ctx.badge = n => { badge.textContent = n; badge.hidden = !n; };
    R.on('open', () => button.setAttribute('aria-expanded', 'true'));
    R.on('close', () => button.setAttribute('aria-expanded', 'false'));
    return button;
  }

  function el(tag, name) {
    const e = document.createElement(tag);
    e.className = name;
    e.setAttribute('part', name);
    return e;
  }

  function icon() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg'), path = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    path.setAttribute('d', 'M3 4h18v12H9l-6 5z');
    svg.append(path);
    return svg;
  }

  function stored(key) {
    try { return localStorage.getItem(key); } catch { return null; }
  }

  // Loads widget.js once; a failed load is forgotten so the next open() tries again.
  function load() {
    loading ||= new Promise((resolve, reject) => {
      const s = document.createElement('script'), url = new URL('widget.js', src || `${ctx.base}/static/`);
      if (src) url.search = new URL(src).search;
      s.src = url.href;
      s.onload = resolve;
      s.onerror = () => { loading = null; s.remove(); reject(new Error('widget.js failed to load')); };
      document.head.append(s);
    }).catch(fail);
  }

  function _mount(factory) {
    if (panel || !ctx) return;
    panel = factory(ctx);
    for (const [method, arg] of queue.splice(0)) panel[method](arg);
  }

  const STYLE = `:host{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;
font:14px/1.4 system-ui,sans-serif;color:#1f2328;--rd-accent:#2563eb}
:host([data-position=left]){right:auto;left:20px}
.launcher{position:relative;width:56px;height:56px;border:0;border-radius:50%;cursor:pointer;
background:var(--rd-accent);box-shadow:0 4px 14px #0003}
svg{width:28px;fill:#fff}
.badge{position:absolute;top:-4px;right:-4px;padding:0 6px;border-radius:10px;background:#d1242f;
color:#fff;font:600 12px/20px sans-serif}
[hidden]{display:none!important}`;

  window.dispatchEvent(new Event('relaydesk:loaded'));
  if (script && script.dataset.widgetKey) init();
})();
