// 貸出一覧 (R-LOAN-1): every loan with its due date, 延長済, and a 貸出延長 button only where
// the loan can be renewed now; otherwise the reason in words (R-RENEW-1..5). Beside each due
// date, the days the library is closed until then (R-CAL-1).

import { api } from '../api.js';
import { t, formatDate, hasText } from '../i18n.js';
import { h, heading, details, card, cardLink } from '../dom.js';
import { flashNotice } from '../state.js';
import { todayInJapan, closedDaysBetween, closuresBefore } from '../closures.js';

export function reasonText(reason) {
  return hasText(`reason.${reason}`) ? t(`reason.${reason}`) : t('reason.unknown');
}

function loanItem(loan, closed, today) {
  let renewal;
  if (loan.renewable) {
    const renewPath = `#/loans/${encodeURIComponent(loan.loan_id)}/renew`;
    renewal = cardLink(renewPath, t('loans.renewButton'), t('loans.renewButtonFor', { title: loan.title }), { primary: true });
  } else {
    renewal = h('p', { class: 'reason' }, t('loans.notRenewable', { reason: reasonText(loan.not_renewable_reason) }));
  }

  const due = [formatDate(loan.due_date)];
  if (loan.renewed) due.push(' ', h('span', { class: 'badge' }, t('loans.renewed')));
  if (loan.not_renewable_reason === 'overdue') due.push(' ', h('span', { class: 'badge badge--alert' }, t('loans.overdueBadge')));

  // R-CAL-1: the days the library is closed before it is due.
  const before = closuresBefore(closed, today, loan.due_date);
  return card({
    titleId: `loan-${loan.loan_id}-title`,
    name: loan.title,
    props: { 'data-loan-id': loan.loan_id },
    facts: details([
      [t('loans.author'), loan.author || '—'],
      [t('loans.checkedOut'), formatDate(loan.checked_out_on)],
      [t('loans.due'), h('span', {}, due)],
      before ? [t('calendar.closedBeforeDue'), before] : null,
    ]),
    actions: renewal,
  });
}

export async function render() {
  const { loans } = await api.loans();
  const today = todayInJapan();
  const latest = loans.reduce((max, l) => (l.due_date > max ? l.due_date : max), today);
  const closed = await closedDaysBetween(today, latest);
  const node = h(
    'div',
    { class: 'screen' },
    heading(t('loans.title')),
    flashNotice(),
    h('p', {}, loans.length ? t('loans.summary', { count: loans.length }) : t('loans.empty')),
    loans.length ? h('ul', { class: 'cards' }, loans.map((l) => loanItem(l, closed, today))) : null,
    h('p', { class: 'note' }, t('loans.renewNote')),
  );
  return { title: t('loans.title'), node };
}
