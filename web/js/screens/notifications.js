// お知らせメール設定: 返却期限日お知らせ (R-MAIL-1), 延滞のお知らせ (R-MAIL-6) and 新着図書お知らせ with authors, subjects and
// keywords (R-MAIL-2). Lists are typed one entry a line. Below the form, カレンダー配信 (R-CAL-3),
// which saves on its own buttons.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, field, busyGuard, replaceChildren, uniqueId } from '../dom.js';
import { setFlash, flashNotice, notificationListLimits, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { loadMe } from '../session.js';
import { feedSection, loadFeed } from './calendar-feed.js';

const LISTS = ['authors', 'subjects', 'keywords'];

function checkbox(name, label, checked) {
  const id = uniqueId(name);
  const input = h('input', { type: 'checkbox', id, name, checked });
  return { input, node: h('div', { class: 'choice' }, input, h('label', { for: id }, label)) };
}

function linesOf(text) {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

export async function render() {
  const [settings, me, feed] = await Promise.all([api.notifications(), loadMe(), loadFeed()]);
  const { maxEntries, maxLength } = notificationListLimits;
  const arrivals = settings.new_arrivals ?? { enabled: false, authors: [], subjects: [], keywords: [] };

  const formAlert = notice('error');
  const due = checkbox('due_reminder', t('notifications.dueLabel'), Boolean(settings.due_reminder));
  const overdue = checkbox('overdue_notice', t('notifications.overdueLabel'), Boolean(settings.overdue_notice));
  const arrivalsOn = checkbox('new_arrivals', t('notifications.arrivalsLabel'), Boolean(arrivals.enabled));
  const lists = Object.fromEntries(
    LISTS.map((name) => [
      name,
      field({
        name,
        label: t(`notifications.${name}`),
        hint: t('notifications.listHint', { max: maxEntries, len: maxLength }),
        multiline: true,
        rows: 4,
        value: (arrivals[name] ?? []).join('\n'),
      }),
    ]),
  );

  function validateLists() {
    let firstInvalid = null;
    for (const name of LISTS) {
      const list = lists[name];
      list.setError(null);
      const entries = linesOf(list.input.value);
      const label = t(`notifications.${name}`);
      let message = null;
      if (entries.length > maxEntries) {
        message = t('notifications.tooMany', { field: label, max: maxEntries, count: entries.length });
      } else {
        const tooLong = list.input.value
          .split(/\r?\n/)
          .findIndex((line) => [...line.trim()].length > maxLength);
        if (tooLong >= 0) message = t('notifications.tooLong', { field: label, line: tooLong + 1, len: maxLength });
      }
      if (message) {
        list.setError(message);
        firstInvalid ??= list.input;
      }
    }
    return firstInvalid;
  }
  for (const name of LISTS) lists[name].input.addEventListener('input', () => validateLists());

  const form = h(
    'form',
    { class: 'form', novalidate: true },
    formAlert,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'due-heading' },
      h('h2', { id: 'due-heading' }, t('notifications.dueHeading')),
      h('p', {}, t('notifications.dueText')),
      due.node,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'overdue-heading' },
      h('h2', { id: 'overdue-heading' }, t('notifications.overdueHeading')),
      h('p', {}, t('notifications.overdueText')),
      overdue.node,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'arrivals-heading' },
      h('h2', { id: 'arrivals-heading' }, t('notifications.arrivalsHeading')),
      h('p', {}, t('notifications.arrivalsText')),
      arrivalsOn.node,
      LISTS.map((name) => lists[name].wrapper),
    ),
    h('p', {}, h('button', { type: 'submit', class: 'button' }, t('notifications.save'))),
  );

  const guard = busyGuard(form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    guard(async () => {
      replaceChildren(formAlert);
      const firstInvalid = validateLists();
      if (firstInvalid) {
        replaceChildren(formAlert, t('common.formErrors'));
        firstInvalid.focus();
        return;
      }
      const body = {
        due_reminder: due.input.checked,
        overdue_notice: overdue.input.checked,
        new_arrivals: {
          enabled: arrivalsOn.input.checked,
          authors: linesOf(lists.authors.input.value),
          subjects: linesOf(lists.subjects.input.value),
          keywords: linesOf(lists.keywords.input.value),
        },
      };
      try {
        await api.saveNotifications(body);
        setFlash('success', t('notifications.saved'));
        navigate('/notifications', { replace: true });
      } catch (error) {
        if (error.handled) return;
        replaceChildren(
          formAlert,
          errorContent(error),
          error.code === 'email_not_registered' ? [' ', h('a', { href: '#/email' }, t('candidates.registerEmail'))] : null,
        );
      }
    });
  });

  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(t('notifications.title')),
    flashNotice(),
    h('p', {}, t('notifications.intro')),
    me.email
      ? null
      : notice('warning', t('notifications.noEmail'), ' ', h('a', { href: '#/email' }, t('candidates.registerEmail'))),
    form,
    feedSection(feed),
  );
  return { title: t('notifications.title'), node };
}
