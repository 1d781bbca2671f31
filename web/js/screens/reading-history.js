// 貸出履歴 (R-HIST-1): off until the patron turns it on, theirs alone. The screen explains the
// choice in plain words, lists the history newest first (more on request), deletes one entry
// or all of them after a confirmation, and downloads it as a CSV file.

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, notice, details, replaceChildren, card } from '../dom.js';
import { setFlash, flashNotice, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { confirming, onPress } from '../actions.js';

function rerender(flash) {
  if (flash) setFlash('success', flash);
  navigate('/reading-history', { replace: true });
}

function entryItem(entry, alert) {
  return card({
    titleId: `entry-${entry.entry_id}-title`,
    name: entry.title,
    headingTag: 'h3',
    props: { 'data-entry-id': entry.entry_id },
    facts: details([
      [t('loans.author'), entry.author || '—'],
      [t('loans.checkedOut'), formatDate(entry.checked_out_on)],
      [t('history.returned'), formatDate(entry.returned_on)],
    ]),
    actions: confirming({
      texts: 'history.deleteOne',
      vars: { title: entry.title },
      ariaLabel: t('history.deleteOneFor', { title: entry.title }),
      alert,
      onYes: async () => {
        await api.deleteHistoryEntry(entry.entry_id);
        rerender(t('history.deletedOne', { title: entry.title }));
      },
    }),
  });
}

export async function render() {
  const first = await api.readingHistory();
  const alert = notice('error');
  const title = t('history.title');

  const intro = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'history-about' },
    h('h2', { id: 'history-about' }, t('history.aboutHeading')),
    h('p', {}, t('history.about1')),
    h('p', {}, t('history.about2')),
    h('p', {}, t('history.about3')),
  );

  const status = h(
    'p',
    { class: 'current-value' },
    `${t('history.status')}：`,
    h('strong', { id: 'history-status' }, first.enabled ? t('history.on') : t('history.off')),
  );

  let switchControl;
  if (first.enabled) {
    switchControl = confirming({
      texts: 'history.turnOff',
      alert,
      onYes: async () => {
        await api.setReadingHistory(false);
        rerender(t('history.turnedOff'));
      },
    });
  } else {
    switchControl = onPress(h('button', { type: 'button', class: 'button' }, t('history.turnOn')), alert, async () => {
      await api.setReadingHistory(true);
      rerender(t('history.turnedOn'));
    });
  }

  let body = null;
  if (first.enabled) {
    const list = h('ul', { class: 'cards', id: 'history-list' }, first.entries.map((e) => entryItem(e, alert)));
    let next = first.next_page_token;
    const more = h('button', { type: 'button', class: 'button button--secondary', hidden: !next }, t('history.more'));
    more.addEventListener('click', async () => {
      replaceChildren(alert);
      try {
        const page = await api.readingHistory(next);
        list.append(...page.entries.map((e) => entryItem(e, alert)));
        next = page.next_page_token;
        more.hidden = !next;
        if (!next) list.lastElementChild?.querySelector('button')?.focus();
      } catch (error) {
        if (!error.handled) replaceChildren(alert, errorContent(error));
      }
    });
    body = h(
      'section',
      { class: 'panel', 'aria-labelledby': 'history-list-heading' },
      h('h2', { id: 'history-list-heading' }, t('history.listHeading')),
      first.entries.length
        ? [
            h(
              'div',
              { class: 'actions' },
              h('a', { class: 'button button--secondary', href: '/api/me/reading-history/export', download: 'reading-history.csv' }, t('history.download')),
              confirming({
                texts: 'history.deleteAll',
                alert,
                onYes: async () => {
                  await api.deleteHistory();
                  rerender(t('history.deletedAll'));
                },
              }),
            ),
            h('p', { class: 'note' }, t('history.csvNote')),
            list,
            more,
          ]
        : h('p', {}, t('history.empty')),
    );
  }

  const node = h(
    'div',
    { class: 'screen' },
    heading(title),
    flashNotice(),
    alert,
    intro,
    status,
    switchControl,
    body,
  );
  return { title, node };
}
