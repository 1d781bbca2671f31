// 予約候補一覧 for one title (the 予約する link of 新着図書 and of a title page): the title, the
// choice of 予約連絡方法 (R-HOLD-3), and 予約する. Refusals come back in words (R-HOLD-2, R-HOLD-8).
// Several titles at once: the hold cart (hold-cart.js).

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, linkButton, onSubmit, replaceChildren } from '../dom.js';
import { notifyFieldset, chosenNotify, registerEmailLink } from '../notify-choice.js';
import { setFlash, errorText, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { loadMe } from '../session.js';
import { loadTitle, titleFacts } from './title.js';

// Refusals that another try would not change.
const FINAL_REFUSALS = ['hold_limit_reached', 'available_on_shelf', 'already_on_loan', 'duplicate_hold', 'title_not_found'];

export async function render({ params }) {
  const pageTitle = t('candidates.title');
  const [{ title, missing, error }, me] = await Promise.all([loadTitle(params.bibId), loadMe()]);
  const back = linkButton(missing ? '#/new-arrivals' : `#/titles/${encodeURIComponent(params.bibId)}`, t('candidates.back'));

  if (missing) {
    const text = error.code === 'title_not_found' ? t('title.notFound') : errorText(error);
    return { title: pageTitle, node: h('div', { class: 'screen screen--narrow' }, heading(pageTitle), notice('error', text), h('p', {}, back)) };
  }

  const item = h(
    'ul',
    { class: 'cards' },
    h('li', { class: 'card' }, h('div', { class: 'card__body' }, h('h2', { class: 'card__title' }, title.title), titleFacts(title))),
  );

  if (title.available > 0) {
    return {
      title: pageTitle,
      node: h('div', { class: 'screen screen--narrow' }, heading(pageTitle), item, notice('warning', t('err.available_on_shelf')), h('p', {}, back)),
    };
  }

  const fieldset = notifyFieldset(me);

  const formAlert = notice('error');
  const submit = h('button', { type: 'submit', class: 'button' }, t('candidates.submit'));
  const form = h('form', { class: 'form' }, formAlert, fieldset, h('div', { class: 'actions' }, submit, back));
  onSubmit(form, formAlert, async () => {
    const notify = chosenNotify(form);
    try {
      await api.placeHold(title.bib_id, notify);
      setFlash('success', t('holds.placedFlash', { title: title.title }));
      navigate('/holds');
    } catch (failure) {
      if (failure.handled) return;
      replaceChildren(formAlert, errorContent(failure), registerEmailLink(failure));
      if (FINAL_REFUSALS.includes(failure.code)) {
        submit.remove();
        back.focus();
      }
    }
  });

  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(pageTitle),
    h('p', {}, t('candidates.lead')),
    item,
    me.holds ? h('p', { class: 'note' }, t('candidates.limit', { limit: me.holds.limit, active: me.holds.active })) : null,
    form,
  );
  return { title: pageTitle, node };
}
