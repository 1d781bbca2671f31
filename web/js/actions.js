// Buttons that call the API: one press at a time, the refusal's words shown beside them, and
// for what cannot be undone a question first.

import { t } from './i18n.js';
import { h, replaceChildren, uniqueId } from './dom.js';
import { errorContent } from './state.js';

// Runs `work` on each press, never twice at once; an ApiError it throws goes into `alert`.
export function onPress(button, alert, work) {
  let busy = false;
  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    replaceChildren(alert);
    try {
      await work();
    } catch (error) {
      if (!error.handled) replaceChildren(alert, errorContent(error));
    } finally {
      busy = false;
    }
  });
  return button;
}

// A button that asks first: the question and its two answers take the button's place.
// `texts` names the button's text; its question and answer are `<texts>Question` and
// `<texts>Yes`, each filled in with `vars` (or given as `label`, `question`, `yes`).
export function confirming({
  texts,
  vars,
  label = t(texts, vars),
  ariaLabel,
  question = t(`${texts}Question`, vars),
  yes = t(`${texts}Yes`, vars),
  no = t('history.no'),
  danger = true,
  onYes,
  alert,
}) {
  const start = h('button', { type: 'button', class: 'button button--secondary', 'aria-label': ariaLabel }, label);
  const questionId = uniqueId('confirm-q');
  const yesButton = h('button', { type: 'button', class: `button${danger ? ' button--danger' : ''}` }, yes);
  const noButton = h('button', { type: 'button', class: 'button button--secondary' }, no);
  const box = h(
    'div',
    { class: 'confirm', hidden: true, role: 'group', 'aria-labelledby': questionId },
    h('p', { id: questionId }, question),
    h('div', { class: 'actions' }, yesButton, noButton),
  );
  start.addEventListener('click', () => {
    start.hidden = true;
    box.hidden = false;
    noButton.focus();
  });
  noButton.addEventListener('click', () => {
    box.hidden = true;
    start.hidden = false;
    start.focus();
  });
  onPress(yesButton, alert, onYes);
  return h('div', { class: 'confirming' }, start, box);
}
