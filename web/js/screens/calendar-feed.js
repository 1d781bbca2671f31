// カレンダー配信 on お知らせメール設定 (R-CAL-3): a private iCalendar URL of the patron's due dates
// and pickup deadlines for a phone's calendar. The URL is the key, so the section says who can
// read it; titles are reading data, so they are in only when the patron asks.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, notice, field, replaceChildren, uniqueId } from '../dom.js';
import { errorContent } from '../state.js';
import { confirming, onPress } from '../actions.js';

// The current feed, null when there is none; other failures are the section's to show.
export async function loadFeed() {
  try {
    return { feed: await api.calendarFeed() };
  } catch (error) {
    if (error.status === 404 && error.code === 'feed_not_found') return { feed: null };
    return { error };
  }
}

// The same URL for the calendar apps that open webcal: links (most phones).
export function webcalUrl(url) {
  return /^https?:\/\//i.test(url) ? url.replace(/^https?:\/\//i, 'webcal://') : null;
}

// Copies with the Clipboard API; where that is missing or refused, selects the text instead.
async function copyText(input) {
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.focus();
    input.select();
    return false;
  }
}

export function feedSection(loaded) {
  const alert = notice('error');
  // Outcomes (made, stopped, copied) are announced here; it stays while the rest is redrawn.
  const status = notice('success');
  const content = h('div', {});

  function includeTitlesChoice(checked) {
    const id = uniqueId('feed-titles');
    const hintId = `${id}-hint`;
    const input = h('input', { type: 'checkbox', id, name: 'include_titles', checked, 'aria-describedby': hintId });
    const node = h(
      'div',
      {},
      h('div', { class: 'choice' }, input, h('label', { for: id }, t('feed.includeTitles'))),
      h('p', { class: 'field-hint', id: hintId }, t('feed.includeTitlesHint')),
    );
    return { input, node };
  }

  async function create(includeTitles, replacing) {
    const made = await api.newCalendarFeed(includeTitles);
    show(made);
    replaceChildren(status, replacing ? t('feed.replaced') : t('feed.created'));
    content.querySelector('input[readonly]')?.focus();
  }

  function show(feed) {
    replaceChildren(alert);
    replaceChildren(status);
    const titles = includeTitlesChoice(feed ? feed.include_titles : false);
    if (!feed) {
      const make = onPress(h('button', { type: 'button', class: 'button' }, t('feed.create')), alert, () =>
        create(titles.input.checked, false),
      );
      replaceChildren(content, h('p', {}, t('feed.none')), titles.node, h('p', {}, make));
      return;
    }

    const url = field({ name: 'feed_url', label: t('feed.url'), hint: t('feed.urlHint'), value: feed.url });
    url.input.readOnly = true;
    url.input.spellcheck = false;
    url.input.classList.add('feed-url');
    const copy = h('button', { type: 'button', class: 'button button--secondary' }, t('feed.copy'));
    copy.addEventListener('click', async () => {
      replaceChildren(status);
      const copied = await copyText(url.input);
      replaceChildren(status, copied ? t('feed.copied') : t('feed.copyFailed'));
    });
    const webcal = webcalUrl(feed.url);
    replaceChildren(
      content,
      url.wrapper,
      h('div', { class: 'actions' }, copy, webcal ? h('a', { class: 'button button--secondary', href: webcal }, t('feed.webcal')) : null),
      h('p', { class: 'current-value' }, feed.include_titles ? t('feed.withTitles') : t('feed.withoutTitles')),
      titles.node,
      h(
        'div',
        { class: 'actions' },
        confirming({
          label: t('feed.create'),
          question: t('feed.replaceQuestion'),
          yes: t('feed.replaceYes'),
          alert,
          onYes: () => create(titles.input.checked, true),
        }),
        confirming({
          texts: 'feed.stop',
          alert,
          onYes: async () => {
            await api.deleteCalendarFeed();
            show(null);
            replaceChildren(status, t('feed.stopped'));
            content.querySelector('button')?.focus();
          },
        }),
      ),
    );
  }

  if (loaded.error) {
    replaceChildren(alert, errorContent(loaded.error));
    const retry = onPress(h('button', { type: 'button', class: 'button button--secondary' }, t('common.retry')), alert, async () => {
      const again = await loadFeed();
      if (again.error) throw again.error;
      show(again.feed);
    });
    replaceChildren(content, h('p', {}, retry));
  } else {
    show(loaded.feed);
  }

  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'feed-heading' },
    h('h2', { id: 'feed-heading' }, t('feed.heading')),
    h('p', {}, t('feed.intro')),
    notice('warning', t('feed.privacy')),
    alert,
    status,
    content,
  );
}
