// The end of a conversation: the visitor may end it; then a CSAT card (1-5, a comment
// prompted for 1-2) until it is rated. The server posts the "ended" system message itself.
import { current, track } from './conversation.js';
import { el } from './dom.js';
import { api } from './http.js';
import { t } from './strings.js';
import { order, place } from './timeline.js';
import { showError, ui } from './view.js';

const offered = new Set(); // conversation ids with a card shown (or rated)

export async function endConversation() {
  ui.endBtn.disabled = true;
  try {
    track(await api('POST', `/conversations/${encodeURIComponent(current())}/close`));
  } catch (e) {
    showError(e.message);
  } finally {
    ui.endBtn.disabled = false;
  }
}

export function offerCsat(c) {
  if (c.state !== 'closed' || c.csat_score != null || offered.has(c.id)) return;
  offered.add(c.id);
  const card = csatCard(c.id);
  place(card, order(c.id, 1e9 - 1));
}

// A conversation reopened in HubSpot (id), or another visitor (no id): the cards go.
export function withdrawCsat(id) {
  ui.list.querySelectorAll('.csat').forEach(n => n.remove());
  if (id) offered.delete(id);
  else offered.clear();
}

function csatCard(id) {
  let score = 0;
  const comment = el('textarea', { className: 'comment', rows: 2, maxLength: 2000, hidden: true, ariaLabel: t('csatComment') });
  const submit = el('button', { type: 'submit', className: 'rate', hidden: true }, t('csatSend'));
  const scores = [1, 2, 3, 4, 5].map(n => el('button', {
    type: 'button', 'data-score': n, 'aria-pressed': 'false', ariaLabel: t('csatScore', { score: n }), onclick: () => pick(n),
  }, String(n)));
  const card = el('li', { className: 'csat', part: 'csat' }, el('form', { onsubmit: rate },
    el('p', null, t('csatQuestion')), el('div', { className: 'scores' }, ...scores), comment, submit));
  return card;

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
      await api('POST', `/conversations/${encodeURIComponent(id)}/csat`, { score, comment: comment.value.trim() || undefined });
    } catch (err) {
      submit.disabled = false;
      if (err.code !== 'already_rated') return showError(err.message); // rated in another tab
    }
    card.replaceChildren(t('csatThanks'));
  }
}
