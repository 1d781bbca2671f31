// 蔵書検索 (R-FIND-1, R-FIND-2): the hits for the words typed in the header's search box, with
// their availability, 20 to a page. No login needed. #/search?q=WORDS[&page=TOKEN&n=PAGE]

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, card } from '../dom.js';
import { errorText } from '../state.js';
import { titleActions, titleLink } from '../title-actions.js';

// A page may come back empty with a token (the server reads a bounded part of its index per
// page): follow it this many times before showing the gap.
const FOLLOW_EMPTY_PAGES = 5;

export function searchPath(q, pageToken, pageNumber) {
  const params = new URLSearchParams({ q });
  if (pageToken) {
    params.set('page', pageToken);
    params.set('n', String(pageNumber));
  }
  return `/search?${params}`;
}

function availability(title) {
  const onShelf = title.available > 0;
  return h(
    'p',
    { class: onShelf ? 'availability availability--shelf' : 'availability' },
    onShelf ? t('search.onShelf', { n: title.available }) : t('search.allOut'),
  );
}

function hitItem(title) {
  const subjects = Array.isArray(title.subjects) && title.subjects.length ? title.subjects.join('、') : null;
  return card({
    titleId: `hit-${title.bib_id}-title`,
    name: titleLink(title),
    facts: [
      title.author ? h('p', { class: 'card__meta' }, title.author) : null,
      subjects ? h('p', { class: 'card__meta' }, t('search.subjects', { subjects })) : null,
      availability(title),
      h(
        'p',
        { class: 'card__meta' },
        t('search.counts', { copies: title.copies, available: title.available, waiting: title.waiting_holds }),
      ),
    ],
    actions: titleActions(title),
  });
}

async function loadPage(q, pageToken) {
  let page = await api.search(q, pageToken);
  for (let i = 0; i < FOLLOW_EMPTY_PAGES && page.titles.length === 0 && page.next_page_token; i += 1) {
    page = await api.search(q, page.next_page_token);
  }
  return page;
}

export async function render({ query }) {
  const q = (query.q ?? '').trim();
  const title = q ? t('search.titleFor', { q }) : t('search.title');
  if (!q) {
    return {
      title,
      node: h('div', { class: 'screen' }, heading(t('search.title')), h('p', {}, t('search.intro'))),
    };
  }
  const pageNumber = Math.max(1, Number.parseInt(query.n ?? '1', 10) || 1);
  let page;
  try {
    page = await loadPage(q, query.page);
  } catch (error) {
    if (error.status === 400) {
      return {
        title,
        node: h('div', { class: 'screen' }, heading(t('search.title')), notice('error', errorText(error)), h('p', {}, t('search.hints'))),
      };
    }
    throw error;
  }
  const { titles, next_page_token: next } = page;
  const paging = h(
    'nav',
    { class: 'pager', 'aria-label': t('search.paging') },
    pageNumber > 1 ? h('a', { class: 'button button--secondary', href: `#${searchPath(q)}` }, t('search.first')) : null,
    next ? h('a', { class: 'button', href: `#${searchPath(q, next, pageNumber + 1)}` }, t('search.next')) : null,
  );
  let body;
  if (titles.length) {
    body = h('ul', { class: 'cards' }, titles.map(hitItem));
  } else if (next) {
    body = h('p', {}, t('search.gap'));
  } else if (pageNumber > 1) {
    body = h('p', {}, t('search.noMore'));
  } else {
    body = h('div', {}, h('p', {}, t('search.none', { q })), h('p', {}, t('search.hints')));
  }
  const node = h(
    'div',
    { class: 'screen' },
    heading(t('search.title')),
    h('p', { class: 'search-summary', role: 'status' }, t(pageNumber > 1 ? 'search.summaryPage' : 'search.summary', { q, n: pageNumber })),
    body,
    paging.childElementCount ? paging : null,
  );
  return { title, node };
}
