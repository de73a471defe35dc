// Sending: a message is shown at once as pending and matched to the server's message by
// client_id. The files picked, dropped or pasted together go in one message, checked first
// against the limits in the config (max_files, max_upload_bytes each, max_total_upload_bytes,
// accepted_types / accepted_extensions: what HubSpot's channel carries in one message).
// Sends that failed for want of a connection go out by themselves when it returns, in order.
import { messageEl } from './bubble.js';
import { config, page } from './context.js';
import { switchTo } from './conversation.js';
import { el } from './dom.js';
import { api } from './http.js';
import { started } from './shell.js';
import { t } from './strings.js';
import { add, place } from './timeline.js';
import { bytes, str, uuid } from './util.js';
import { showError, ui } from './view.js';

const jobs = new Map(); // client_id -> pending send
let sending = Promise.resolve();

export function send(text, uploads = []) {
  text = str(text).trim();
  if (!text && !uploads.length) return;
  const refused = refusal(text, uploads);
  if (refused) {
    showError(refused[1]);
    page.emit('error', { code: refused[0], message: refused[1] });
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

// The server's message for a pending send arrived: the pending bubble goes.
export function delivered(clientId) {
  const job = jobs.get(clientId);
  if (job) { jobs.delete(clientId); job.li.remove(); }
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
    page.emit('error', { code: e.code || 'send_failed', message: e.message });
  }
}

// The connection is back: sends that failed for want of it go out again, in the order typed
// (each once: the client_id makes a repeat harmless, and a job in flight is not failed).
export function resend() {
  for (const job of jobs.values()) if (job.auto && job.li.dataset.status === 'failed') deliver(job);
}

// ---- The input and its files.
export function onSubmit(e) {
  e.preventDefault();
  if (send(ui.input.value)) ui.input.value = '';
}

export function onKey(e) {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) onSubmit(e);
}

export function pickFiles() {
  send('', [...ui.file.files]);
  ui.file.value = '';
}

export function onDrop(e) {
  e.preventDefault();
  ui.drop.hidden = true;
  send('', [...e.dataTransfer.files]);
}

export function onPaste(e) {
  const files = e.clipboardData && e.clipboardData.files;
  if (files && files.length) { e.preventDefault(); send('', [...files]); }
}
