// A title page, /#/titles/{bib_id}: the link the library's catalog uses. No login needed to look;
// 予約する leads to 予約候補一覧 for this title, 予約候補に追加 to the hold cart (ログイン first if needed).

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, details, linkButton } from '../dom.js';
import { errorText } from '../state.js';
import { addToCartControl, titlePath } from '../title-actions.js';

export function titleFacts(title) {
  return details([
    [t('title.author'), title.author || '—'],
    Array.isArray(title.subjects) && title.subjects.length ? [t('title.subjects'), title.subjects.join('、')] : null,
    typeof title.copies === 'number' ? [t('title.copies'), t('title.count', { n: title.copies })] : null,
    typeof title.available === 'number' ? [t('title.available'), t('title.count', { n: title.available })] : null,
    typeof title.waiting_holds === 'number' ? [t('title.waiting'), t('title.people', { n: title.waiting_holds })] : null,
  ]);
}

export async function loadTitle(bibId) {
  try {
    return { title: await api.title(bibId) };
  } catch (error) {
    if (error.status === 404) return { missing: true, error };
    throw error;
  }
}

// 予約する (this title alone) or 予約候補に追加 (to place it with others from the cart).
function holdActions(title) {
  const [addButton, addFeedback] = addToCartControl(title, { secondary: true });
  return h(
    'div',
    {},
    h('div', { class: 'actions' }, h('a', { class: 'button', href: `${titlePath(title.bib_id)}/hold` }, t('title.holdButton')), addButton),
    addFeedback,
    h('p', { class: 'note' }, t('title.cartNote')),
  );
}

export async function render({ params }) {
  const { title, missing, error } = await loadTitle(params.bibId);
  if (missing) {
    const text = error.code === 'title_not_found' ? t('title.notFound') : errorText(error);
    return {
      title: t('title.heading'),
      node: h('div', { class: 'screen' }, heading(t('title.heading')), notice('error', text), h('p', {}, linkButton('#/new-arrivals', t('arrivals.title')))),
    };
  }
  const onShelf = title.available > 0;
  const node = h(
    'div',
    { class: 'screen' },
    heading(title.title),
    titleFacts(title),
    h('p', { class: onShelf ? 'availability availability--shelf' : 'availability' }, onShelf ? t('title.onShelf') : t('title.allOut')),
    onShelf ? null : holdActions(title),
  );
  return { title: title.title, node };
}
