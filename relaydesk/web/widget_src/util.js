// Small helpers with no state of their own.

export const str = v => (v == null ? '' : String(v));

export const sleep = ms => new Promise(r => setTimeout(r, ms));

// The wait before retry i: doubling from 400 ms up to 10 s, with jitter.
export const backoff = i => Math.min(10000, 400 * 2 ** i) * (0.5 + Math.random() / 2);

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Reads (no value), writes or removes (null) one localStorage entry.
export function storage(key, value) {
  try {
    if (value === undefined) return localStorage.getItem(key);
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { return null; } // storage disabled: the session lasts as long as the page
}

export function bytes(n) {
  return n >= 1048576 ? `${+(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}
