// Office hours: "We're here now", or when the team is next in, in the visitor's language and
// time zone; the config is fetched again when that changes.
import { config, page } from './context.js';
import { api } from './http.js';
import { t } from './strings.js';
import { str } from './util.js';
import { applyConfig, ui } from './view.js';

let availabilityTimer;

export function showAvailability() {
  const a = config.availability, line = ui.availability;
  clearTimeout(availabilityTimer);
  line.hidden = !a;
  if (!a) return;
  line.dataset.open = String(!!a.open);
  const next = a.next_open && new Date(a.next_open);
  line.textContent = a.open ? t('availableNow') : next ? t('awayUntil', { when: nextTime(next) }) : t('away');
  if (a.changes_at) {
    const wait = Math.min(Math.max(new Date(a.changes_at) - Date.now(), 0) + 1000, 6 * 3600e3);
    availabilityTimer = setTimeout(refreshConfig, wait);
  }
}

// Within the week: the weekday and time; later: the date and time.
function nextTime(at) {
  const soon = at - Date.now() < 6 * 864e5;
  const style = soon ? { weekday: 'long', hour: '2-digit', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(config.locale || 'en', style).format(at);
}

async function refreshConfig() {
  const opts = page.opts, locale = str(opts.locale || navigator.language || '').slice(0, 35);
  const query = `widget_key=${encodeURIComponent(opts.widgetKey)}&locale=${encodeURIComponent(locale)}`;
  try {
    applyConfig(await api('GET', `/config?${query}`));
  } catch {
    availabilityTimer = setTimeout(refreshConfig, 60000);
  }
}
