// 予約取消確認: 取消する cancels a waiting hold. A hold that became ready meanwhile is refused
// (409 ready_for_pickup) and the patron is told to call the library (R-HOLD-5).

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, linkButton, onSubmit, replaceChildren } from '../dom.js';
import { setFlash, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { holdFacts } from './holds.js';

export async function render({ params }) {
  const { holds } = await api.holds();
  const hold = holds.find((x) => x.hold_id === params.holdId);
  const title = t('cancel.title');
  const back = linkButton('#/holds', t('cancel.back'));

  if (!hold) {
    return { title, node: h('div', { class: 'screen screen--narrow' }, heading(title), notice('error', t('cancel.notFound')), h('p', {}, back)) };
  }

  const item = h('div', { class: 'card card--single' }, h('div', { class: 'card__body' }, h('h2', { class: 'card__title' }, hold.title), holdFacts(hold)));

  if (!hold.cancellable) {
    const why = errorContent({ code: hold.status === 'ready' ? 'ready_for_pickup' : 'unknown' });
    return { title, node: h('div', { class: 'screen screen--narrow' }, heading(title), notice('error', why), item, h('p', {}, back)) };
  }

  const formAlert = notice('error');
  const submit = h('button', { type: 'submit', class: 'button button--danger' }, t('cancel.submit'));
  const form = h('form', { class: 'form' }, formAlert, h('div', { class: 'actions' }, submit, back));
  onSubmit(form, async () => {
    replaceChildren(formAlert);
    try {
      await api.cancelHold(hold.hold_id);
      setFlash('success', t('holds.cancelledFlash', { title: hold.title }));
      navigate('/holds');
    } catch (error) {
      if (error.handled) return;
      replaceChildren(formAlert, errorContent(error));
      if (['ready_for_pickup', 'hold_not_found'].includes(error.code)) {
        submit.remove();
        back.focus();
      }
    }
  });

  const node = h('div', { class: 'screen screen--narrow' }, heading(title), h('p', {}, t('cancel.lead')), item, form);
  return { title, node };
}
