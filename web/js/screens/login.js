// ログイン: card number and password. Full-width digits (０-９) are turned into ASCII before sending.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, field, onSubmit, replaceChildren } from '../dom.js';
import { state, flashNotice, errorContent } from '../state.js';
import { navigate, safeNext } from '../router.js';
import { loadMe } from '../session.js';

// "０１２３" -> "0123"; spaces (half or full width) and hyphens a patron may type are dropped.
export function normaliseCardNumber(text) {
  return text
    .replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000\-－ー‐]/g, '');
}

export async function render({ query }) {
  const next = safeNext(query.next);

  if (state.session === 'signed-in') {
    navigate(next ?? '/loans', { replace: true });
    return { title: t('login.title'), node: h('div') };
  }

  const reasonText = query.reason === 'expired' ? t('login.expired') : null;
  const formAlert = notice('error');
  const card = field({ name: 'card_number', label: t('login.card'), hint: t('login.cardHint'), autocomplete: 'username', inputmode: 'numeric', required: true });
  const password = field({ name: 'password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button' }, t('login.submit'));

  const form = h('form', { class: 'form', novalidate: true }, formAlert, card.wrapper, password.wrapper, h('p', {}, submit));
  onSubmit(form, formAlert, async () => {
    card.setError(null);
    password.setError(null);

    const cardNumber = normaliseCardNumber(card.input.value);
    card.input.value = cardNumber;
    let firstInvalid = null;
    if (!cardNumber) {
      card.setError(t('login.cardMissing'));
      firstInvalid = card.input;
    } else if (!/^[0-9]+$/.test(cardNumber)) {
      card.setError(t('login.cardNotDigits'));
      firstInvalid = card.input;
    }
    if (!password.input.value) {
      password.setError(t('login.passwordMissing'));
      firstInvalid ??= password.input;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return;
    }

    let answer;
    try {
      // The answer's token is ignored: the HttpOnly cookie carries the session.
      answer = await api.login(cardNumber, password.input.value);
    } catch (error) {
      password.input.value = '';
      replaceChildren(formAlert, errorContent(error));
      if (error.code === 'invalid_credentials') card.input.focus();
      return;
    }

    if (answer?.must_change_password) {
      state.session = 'must-change';
      state.me = null;
      navigate(next ? `/password?next=${encodeURIComponent(next)}` : '/password');
      return;
    }
    state.session = 'signed-in';
    try {
      await loadMe();
    } catch {
      // The menu shows without the name; the next screen loads what it needs.
    }
    navigate(next ?? '/loans');
  });

  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(t('login.title')),
    flashNotice(),
    reasonText ? notice('info', reasonText) : null,
    h('p', {}, t('login.intro')),
    form,
    h('section', { class: 'aside', 'aria-labelledby': 'first-time-heading' },
      h('h2', { id: 'first-time-heading' }, t('login.firstTime')),
      h('p', {}, t('login.firstTimeText')),
    ),
  );
  return { title: t('login.title'), node };
}
