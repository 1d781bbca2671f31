// What a patron can do with a title wherever titles are listed (蔵書検索 results). One place, so
// that every list shows the same actions: the title page, and 予約候補に追加 (the hold cart).

import { api } from './api.js';
import { t } from './i18n.js';
import { h, replaceChildren, cardLink } from './dom.js';
import { state, errorText } from './state.js';
import { navigate } from './router.js';

// The route that adds a title and shows the cart: where a logged-out patron lands after ログイン.
export function addToCartPath(bibId) {
  return `/hold-cart/add/${encodeURIComponent(bibId)}`;
}

// A title's own page (its details, and where it is held from).
export function titlePath(bibId) {
  return `#/titles/${encodeURIComponent(bibId)}`;
}

// A listed title's name, linked to its page.
export function titleLink(title) {
  return h('a', { href: titlePath(title.bib_id) }, title.title);
}

function cartLink() {
  return h('a', { href: '#/hold-cart' }, t('cart.open'));
}

// 予約候補に追加 (R-HOLD-10) and the live region that says what happened (added, already there,
// cart full). Offered only while every copy is out: a title on the shelf cannot be held (R-HOLD-1).
export function addToCartControl(title, { secondary = false } = {}) {
  const said = h('p', { class: 'cart-feedback', role: 'status' });
  const say = (kind, ...children) => {
    said.className = `cart-feedback cart-feedback--${kind}`;
    replaceChildren(said, ...children);
  };
  let busy = false;
  const button = h(
    'button',
    { type: 'button', class: secondary ? 'button button--secondary' : 'button', 'aria-label': t('cart.addFor', { title: title.title }) },
    t('cart.add'),
  );
  button.addEventListener('click', async () => {
    if (state.session !== 'signed-in') {
      navigate(addToCartPath(title.bib_id));
      return;
    }
    if (busy) return;
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    try {
      // PUT answers 204 whether or not the title was there: look first, to say which.
      const { items } = await api.holdCart();
      if (items.some((x) => x.bib_id === title.bib_id)) {
        say('info', t('cart.already', { title: title.title }), ' ', cartLink());
      } else {
        await api.addToCart(title.bib_id);
        say('success', t('cart.added', { title: title.title, n: items.length + 1 }), ' ', cartLink());
      }
    } catch (error) {
      if (!error.handled) say('error', errorText(error), ' ', error.code === 'cart_full' ? cartLink() : null);
    } finally {
      busy = false;
      button.removeAttribute('aria-disabled');
    }
  });
  return [button, said];
}

// The actions for one title of a list: nodes for the card's action area.
export function titleActions(title) {
  return [
    cardLink(titlePath(title.bib_id), t('search.details'), t('search.detailsFor', { title: title.title })),
    title.available > 0 ? null : addToCartControl(title),
  ];
}
