// 確認 (貸出延長, from the due-date reminder): the link in the email opens this screen without a
// login (R-MAIL-7). Opening it changes nothing (mail scanners follow links); the loan is
// renewed only when the patron presses 変更する. The link works once.

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, notice, details, linkButton, onSubmit, replaceChildren } from '../dom.js';
import { state, errorContent } from '../state.js';
import { reasonText } from './loans.js';

// The link's token and what came of it, for this page only: once the link is used up the
// address bar no longer shows the token, and the language switch still shows the outcome.
let remembered = null;

function dropTokenFromAddress() {
  if (window.location.hash.includes('token=')) history.replaceState(history.state, '', '#/renewal');
}

// A link to 貸出一覧 (ログイン first when needed): where any loan can still be renewed.
function toLoans() {
  const text = state.session === 'signed-in' ? t('common.toLoans') : t('renewalLink.loginToLoans');
  return h('p', {}, linkButton('#/loans', text));
}

function loanCard(title, rows) {
  return h('div', { class: 'card card--single' }, h('div', { class: 'card__body' }, h('h2', { class: 'card__title' }, title), details(rows)));
}

// The outcomes that end the link's use, as page content.
function outcomeContent(outcome) {
  switch (outcome.kind) {
    case 'renewed':
      return [
        notice('success', t('renewalLink.done', { date: formatDate(outcome.due_date) })),
        loanCard(outcome.title, [[t('renewalLink.newDue'), formatDate(outcome.due_date)]]),
        h('p', {}, t('renewalLink.doneNote')),
        toLoans(),
      ];
    case 'gone':
      return [notice('error', t('renewalLink.gone')), h('p', {}, t('renewalLink.goneNote')), toLoans()];
    case 'refused':
      return [
        notice('error', t('renew.notRenewable', { reason: reasonText(outcome.code) })),
        outcome.title ? loanCard(outcome.title, [[t('loans.due'), formatDate(outcome.due_date)]]) : null,
        h('p', {}, t('renewalLink.refusedNote')),
        toLoans(),
      ];
    default:
      return [notice('error', t('renewalLink.missing')), toLoans()];
  }
}

// An API refusal that ends this link's use (404 gone, 409 an R-RENEW reason), or null.
function outcomeOf(error, preview) {
  if (error.status === 404 && error.code === 'link_not_found') return { kind: 'gone' };
  if (error.status === 409) return { kind: 'refused', code: error.code, title: preview?.title, due_date: preview?.due_date };
  return null;
}

export async function render({ query }) {
  const title = t('renew.title');
  const body = h('div', {});
  const node = h('div', { class: 'screen screen--narrow' }, heading(title), h('p', { class: 'subtitle' }, t('loans.renewal')), body);
  const show = (outcome) => {
    // A refusal may pass (the other patron's hold can be cancelled): the link stays usable.
    if (outcome.kind !== 'refused') {
      remembered.outcome = outcome;
      dropTokenFromAddress();
    }
    replaceChildren(body, outcomeContent(outcome));
  };

  const given = typeof query.token === 'string' ? query.token.trim() : null;
  if (given !== null && given !== remembered?.token) remembered = { token: given, outcome: null };
  const token = given ?? remembered?.token ?? '';
  if (!token) {
    replaceChildren(body, outcomeContent({ kind: 'missing' }));
    return { title, node };
  }
  if (remembered.outcome) {
    show(remembered.outcome);
    return { title, node };
  }

  let preview;
  try {
    preview = await api.renewalLink(token);
  } catch (error) {
    const outcome = outcomeOf(error);
    if (!outcome) throw error; // the app's error screen, with もう一度読み込む
    show(outcome);
    return { title, node };
  }

  const formAlert = notice('error');
  const form = h(
    'form',
    { class: 'form' },
    formAlert,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, t('renew.submit'))),
  );
  onSubmit(form, formAlert, async () => {
    try {
      const renewed = await api.renewByLink(token);
      show({ kind: 'renewed', title: preview.title, due_date: renewed.due_date });
    } catch (error) {
      const outcome = outcomeOf(error, preview);
      if (!outcome) {
        replaceChildren(formAlert, errorContent(error));
        return;
      }
      show(outcome);
    }
    // The page's content changed: start reading it again from its top.
    node.querySelector('h1')?.focus();
  });

  replaceChildren(
    body,
    h('p', {}, t('renewalLink.lead')),
    loanCard(preview.title, [
      [t('renewalLink.currentDue'), formatDate(preview.due_date)],
      [t('renewalLink.newDue'), h('strong', {}, formatDate(preview.new_due_date))],
    ]),
    notice('warning', t('renewalLink.irreversible')),
    form,
    h('p', { class: 'note' }, t('renewalLink.notNow')),
  );
  return { title, node };
}
