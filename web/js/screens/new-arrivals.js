// 新着図書: titles added recently (no login needed); a checked-out title can be held from here,
// at once or through the hold cart (予約候補に追加).

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, card, cardLink } from '../dom.js';
import { addToCartControl, titleLink, titlePath } from '../title-actions.js';

function arrivalItem(title) {
  const onShelf = typeof title.available === 'number' && title.available > 0;
  return card({
    titleId: `arrival-${title.bib_id}-title`,
    name: titleLink(title),
    facts: [
      h('p', { class: 'card__meta' }, title.author || ''),
      title.added_on ? h('p', { class: 'card__meta' }, t('arrivals.addedOn', { date: formatDate(title.added_on) })) : null,
      typeof title.available === 'number'
        ? h('p', { class: 'card__meta' }, onShelf ? t('title.onShelf') : t('title.allOut'))
        : null,
    ],
    actions: onShelf
      ? null
      : [
          cardLink(`${titlePath(title.bib_id)}/hold`, t('title.holdButton'), t('arrivals.holdButtonFor', { title: title.title }), { primary: true }),
          addToCartControl(title, { secondary: true }),
        ],
  });
}

export async function render() {
  const { titles } = await api.newArrivals();
  const node = h(
    'div',
    { class: 'screen' },
    heading(t('arrivals.title')),
    h('p', {}, t('arrivals.intro')),
    titles.length ? h('ul', { class: 'cards' }, titles.map(arrivalItem)) : h('p', {}, t('arrivals.empty')),
  );
  return { title: t('arrivals.title'), node };
}
