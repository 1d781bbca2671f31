// What a patron can do with a title wherever titles are listed (蔵書検索 results). One place, so
// that the hold cart (予約候補に追加) adds its button here and every list shows it.

import { t } from './i18n.js';
import { h } from './dom.js';

// The actions for one title of a list: nodes for the card's action area.
export function titleActions(title) {
  return [
    h(
      'a',
      {
        class: 'button button--secondary',
        href: `#/titles/${encodeURIComponent(title.bib_id)}`,
        'aria-label': t('search.detailsFor', { title: title.title }),
      },
      t('search.details'),
    ),
  ];
}
