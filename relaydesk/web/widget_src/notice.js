// A reply while the visitor is not looking: a count on the launcher's badge while the panel is
// closed; a rep's reply in a background tab puts "(1) New message" in the tab title (restored
// when the tab is shown again) and, if the organization turned it on, plays a short tone.
import { config, page } from './context.js';
import { t } from './strings.js';

let unread = 0, notices = 0, pageTitle;

export function badge() {
  page.badge(++unread);
}

export function clearBadge() {
  page.badge(unread = 0);
}

export function notice() {
  if (document.visibilityState !== 'hidden') return;
  if (!notices) pageTitle = document.title;
  document.title = `(${++notices}) ${t('newMessage')}`;
  if (config.notify_sound) tone();
}

export function noticed() {
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
