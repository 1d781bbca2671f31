// 予約候補一覧, the hold cart (R-HOLD-10): the titles collected from 蔵書検索 and title pages, kept
// by the server (the same on every device), in the order added. The patron chooses 予約連絡方法
// once and 予約する places a hold on each title; each gets its own outcome, placed titles leave
// the cart and refused ones stay with the reason in words (R-HOLD-1/2/8).
// #/hold-cart/add/{bib_id} adds a title first: where 予約候補に追加 leads a logged-out patron.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, linkButton, onSubmit, replaceChildren, card } from '../dom.js';
import { state, holdCartLimit, errorText, errorContent } from '../state.js';
import { loadMe } from '../session.js';
import { notifyFieldset, chosenNotify, registerEmailLink } from '../notify-choice.js';
import { titleLink } from '../title-actions.js';

// The title's name, or words for a title that has left the catalog since it was added.
function nameOf(item) {
  return item?.title ?? t('cart.titleGone', { bib: item?.bib_id ?? '' });
}

async function addFromLink(bibId) {
  try {
    const { items } = await api.holdCart();
    if (items.some((x) => x.bib_id === bibId)) return { kind: 'info', text: t('cart.alreadyHere') };
    await api.addToCart(bibId);
    return { kind: 'success', text: t('cart.addedHere') };
  } catch (error) {
    if (error.handled) throw error;
    return { kind: 'error', text: errorText(error) };
  }
}

function availability(item) {
  if (item.title === null || item.title === undefined) return null;
  if (item.available > 0) return h('p', { class: 'reason' }, t('cart.onShelf'));
  return h('p', { class: 'card__meta' }, t('cart.waiting', { n: item.waiting_holds }));
}

function resultLine(result, names) {
  const name = names.get(result.bib_id) ?? result.hold?.title ?? result.bib_id;
  if (result.outcome === 'placed') {
    const position = result.hold?.queue_position;
    return h(
      'li',
      { class: 'result result--placed' },
      h('strong', {}, name),
      h('span', {}, position ? t('cart.placedAt', { n: position }) : t('cart.placed')),
    );
  }
  return h('li', { class: 'result result--refused' }, h('strong', {}, name), h('span', {}, t('cart.refused'), errorContent(result.error)));
}

function resultsSection(results, names) {
  const placed = results.filter((r) => r.outcome === 'placed').length;
  const heading2 = h('h2', { tabindex: '-1', id: 'cart-results' }, t('cart.resultsHeading'));
  return h(
    'section',
    { class: 'results-box', 'aria-labelledby': 'cart-results' },
    heading2,
    h('p', {}, t(placed < results.length ? 'cart.resultsSummaryRefused' : 'cart.resultsSummary', { placed, total: results.length })),
    h('ul', { class: 'results' }, results.map((r) => resultLine(r, names))),
    placed ? h('p', {}, linkButton('#/holds', t('common.toHolds'))) : null,
  );
}

export async function render({ params }) {
  const title = t('cart.title');
  let message = null;
  if (params.bibId) {
    message = await addFromLink(params.bibId);
    // The route did its one job: keep the plain cart in the address bar and the history.
    window.history.replaceState(null, '', '#/hold-cart');
  }
  const content = h('div', {});
  const node = h('div', { class: 'screen screen--narrow' }, heading(title), h('p', {}, t('cart.lead')), content);

  // Draws the cart as the server has it now, with what just happened above it.
  async function show({ message: said, results, names } = {}) {
    const [{ items }, me] = await Promise.all([api.holdCart(), loadMe()]);
    replaceChildren(
      content,
      said ? notice(said.kind, said.text) : null,
      results ? resultsSection(results, names) : null,
      items.length ? cartForm(items, me) : h('p', {}, t('cart.empty')),
    );
  }

  function cartItem(item) {
    const remove = h(
      'button',
      { type: 'button', class: 'button button--secondary', 'aria-label': t('cart.removeFor', { title: nameOf(item) }) },
      t('cart.remove'),
    );
    remove.addEventListener('click', async () => {
      remove.setAttribute('aria-disabled', 'true');
      try {
        await api.removeFromCart(item.bib_id);
        await show({ message: { kind: 'success', text: t('cart.removed', { title: nameOf(item) }) } });
      } catch (error) {
        if (error.handled) return;
        remove.removeAttribute('aria-disabled');
        await show({ message: { kind: 'error', text: errorText(error) } });
      }
      node.querySelector('h1')?.focus();
    });
    return card({
      titleId: `cart-${item.bib_id}-title`,
      name: item.title ? titleLink(item) : nameOf(item),
      props: { 'data-bib-id': item.bib_id },
      facts: [item.author ? h('p', { class: 'card__meta' }, item.author) : null, availability(item)],
      actions: remove,
    });
  }

  function cartForm(items, me) {
    const names = new Map(items.map((x) => [x.bib_id, nameOf(x)]));
    const formAlert = notice('error');
    const submit = h('button', { type: 'submit', class: 'button' }, t('cart.submit'));
    const form = h('form', { class: 'form', novalidate: true }, formAlert, notifyFieldset(me), h('div', { class: 'actions' }, submit));
    onSubmit(form, formAlert, async () => {
      try {
        const { results } = await api.placeCartHolds(chosenNotify(form));
        await show({ results, names });
        node.querySelector('#cart-results')?.focus();
      } catch (error) {
        if (error.handled) return;
        replaceChildren(formAlert, errorContent(error), registerEmailLink(error));
        formAlert.scrollIntoView({ block: 'nearest' });
      }
    });
    return h(
      'div',
      {},
      h('p', { class: 'cart-count' }, t('cart.count', { n: items.length, max: holdCartLimit })),
      h('ul', { class: 'cards' }, items.map(cartItem)),
      me.holds ? h('p', { class: 'note' }, t('cart.limit', { limit: me.holds.limit, active: me.holds.active })) : null,
      form,
    );
  }

  await show({ message });
  return { title, node };
}
