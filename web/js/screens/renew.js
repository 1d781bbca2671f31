// 確認 (貸出延長): the patron confirms with 変更する, because a renewal cannot be undone (R-RENEW-7).
// The new due date comes from the API's answer (R-RENEW-6) and is shown on 貸出一覧.

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, notice, details, linkButton, onSubmit, replaceChildren } from '../dom.js';
import { setFlash, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { reasonText } from './loans.js';

export async function render({ params }) {
  const { loans } = await api.loans();
  const loan = loans.find((l) => l.loan_id === params.loanId);
  const title = t('renew.title');
  const back = h('p', {}, linkButton('#/loans', t('common.toLoans')));

  if (!loan) {
    return { title, node: h('div', { class: 'screen screen--narrow' }, heading(title), notice('error', t('renew.notFound')), back) };
  }

  const summary = details([
    [t('loans.author'), loan.author || '—'],
    [t('loans.due'), formatDate(loan.due_date)],
  ]);
  const item = h('div', { class: 'card card--single' }, h('div', { class: 'card__body' }, h('h2', { class: 'card__title' }, loan.title), summary));

  if (!loan.renewable) {
    return {
      title,
      node: h(
        'div',
        { class: 'screen screen--narrow' },
        heading(title),
        notice('error', t('renew.notRenewable', { reason: reasonText(loan.not_renewable_reason) })),
        item,
        back,
      ),
    };
  }

  const formAlert = notice('error');
  const form = h(
    'form',
    { class: 'form' },
    formAlert,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'button' }, t('renew.submit')),
      linkButton('#/loans', t('renew.cancel')),
    ),
  );
  onSubmit(form, async () => {
    replaceChildren(formAlert);
    try {
      const renewed = await api.renew(loan.loan_id);
      setFlash('success', t('loans.renewedFlash', { title: loan.title, date: formatDate(renewed.due_date) }));
      navigate('/loans');
    } catch (error) {
      if (error.handled) return;
      replaceChildren(formAlert, errorContent(error));
      if (error.status === 409 || error.status === 404) {
        // A refusal is final for this loan: leave only the way back.
        form.querySelector('button[type=submit]')?.remove();
        form.querySelector('a')?.focus();
      }
    }
  });

  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(title),
    h('p', { class: 'subtitle' }, t('loans.renewal')),
    h('p', {}, t('renew.lead')),
    item,
    notice('warning', t('renew.irreversible')),
    form,
  );
  return { title, node };
}
