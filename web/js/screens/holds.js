// 予約一覧 (R-HOLD-4): each hold and its state, its 予約の目安 (R-HOLD-14), 休止 and 不要になる日
// (R-HOLD-11, R-HOLD-12). 変更 leads to hold-change.js; 予約取消 only where the API says it can be
// cancelled; a ready hold is cancelled by calling the library (R-HOLD-5).

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, details, linkButton, card, cardLink } from '../dom.js';
import { state, flashNotice, withPhoneLink } from '../state.js';
import { loadMe } from '../session.js';
import { todayInJapan, closedDaysBetween, closuresBefore } from '../closures.js';
import { titleLink } from '../title-actions.js';

export function holdStatus(hold) {
  if (hold.status === 'ready') {
    return h('strong', { class: 'status status--ready' }, t('holds.ready'));
  }
  if (hold.status === 'suspended') {
    return h(
      'strong',
      { class: 'status status--suspended' },
      hold.suspended_until ? t('holds.suspended', { date: formatDate(hold.suspended_until) }) : t('holds.suspendedNoDate'),
    );
  }
  return h(
    'span',
    { class: 'status status--waiting' },
    hold.queue_position ? t('holds.waiting', { n: hold.queue_position }) : t('holds.waitingNoPos'),
  );
}

export function holdFacts(hold, closed = [], today = todayInJapan()) {
  const before = hold.status === 'ready' && hold.pickup_deadline ? closuresBefore(closed, today, hold.pickup_deadline) : null;
  return details([
    [t('holds.status'), holdStatus(hold)],
    // A suspended hold keeps its place in the queue (R-HOLD-11).
    hold.status === 'suspended' && hold.queue_position ? [t('holds.position'), t('holds.positionKept', { n: hold.queue_position })] : null,
    hold.status === 'waiting' && hold.estimated_ready_on ? [t('holds.estimate'), t('holds.estimateOn', { date: formatDate(hold.estimated_ready_on) })] : null,
    hold.status === 'ready' && hold.ready_on ? [t('holds.readyOn'), formatDate(hold.ready_on)] : null,
    hold.status === 'ready' && hold.pickup_deadline ? [t('holds.pickupDeadline'), formatDate(hold.pickup_deadline)] : null,
    // R-CAL-1: the days the library is closed before the pickup deadline.
    before ? [t('calendar.closedBeforePickup'), before] : null,
    hold.status !== 'ready' && hold.not_needed_after ? [t('holds.notNeededAfter'), t('holds.notNeededOn', { date: formatDate(hold.not_needed_after) })] : null,
    [t('holds.notify'), t(`notify.${hold.notify === 'email' ? 'email' : 'none'}`)],
  ]);
}

function holdItem(hold, closed, today) {
  const holdPath = `#/holds/${encodeURIComponent(hold.hold_id)}`;
  const change = cardLink(`${holdPath}/change`, t('holds.changeButton'), t('holds.changeButtonFor', { title: hold.title }));
  let action = null;
  let readyCancelNote = null;
  if (hold.cancellable) {
    action = cardLink(`${holdPath}/cancel`, t('holds.cancelButton'), t('holds.cancelButtonFor', { title: hold.title }));
  } else if (hold.status === 'ready') {
    readyCancelNote = h('p', { class: 'reason' }, withPhoneLink(t('holds.readyCancel', { phone: state.config.library_phone })));
  }
  return card({
    titleId: `hold-${hold.hold_id}-title`,
    name: titleLink(hold),
    props: { class: hold.status === 'ready' ? 'card--ready' : null, 'data-hold-id': hold.hold_id },
    facts: [holdFacts(hold, closed, today), hold.status === 'ready' ? h('p', { class: 'note' }, t('holds.readyNote')) : null, readyCancelNote],
    actions: [change, action],
  });
}

export async function render() {
  const [{ holds }, me] = await Promise.all([api.holds(), loadMe()]);
  const today = todayInJapan();
  const latest = holds.reduce((max, x) => (x.pickup_deadline && x.pickup_deadline > max ? x.pickup_deadline : max), today);
  const closed = latest > today ? await closedDaysBetween(today, latest) : [];
  const node = h(
    'div',
    { class: 'screen' },
    heading(t('holds.title')),
    flashNotice(),
    h('p', {}, me?.holds ? t('holds.summary', { active: me.holds.active, limit: me.holds.limit }) : null),
    holds.length ? h('ul', { class: 'cards' }, holds.map((x) => holdItem(x, closed, today))) : h('p', {}, t('holds.empty')),
    h('div', { class: 'actions' }, linkButton('#/hold-cart', t('holds.toCart')), linkButton('#/new-arrivals', t('holds.findMore'))),
  );
  return { title: t('holds.title'), node };
}
