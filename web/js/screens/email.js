// メールアドレス登録 / 変更 / 削除 (R-ACCT-6).

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, field, onSubmit, replaceChildren } from '../dom.js';
import { setFlash, flashNotice, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { loadMe } from '../session.js';
import { confirming, onPress } from '../actions.js';

const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function rerender() {
  navigate('/email', { replace: true });
}

function deleteSection() {
  const alert = notice('error');
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'email-delete-heading' },
    h('h2', { id: 'email-delete-heading' }, t('email.deleteHeading')),
    h('p', {}, t('email.deleteText')),
    alert,
    confirming({
      texts: 'email.delete',
      no: t('email.deleteNo'),
      alert,
      onYes: async () => {
        await api.deleteEmail();
        setFlash('success', t('email.deleted'));
        rerender();
      },
    }),
  );
}

// R-MAIL-5: nothing but the verification goes to an address until its link is opened.
function resendSection(current) {
  const alert = notice('error');
  const button = onPress(h('button', { type: 'button', class: 'button button--secondary' }, t('email.resend')), alert, async () => {
    await api.setEmail(current);
    setFlash('success', t('email.verificationSent', { email: current }));
    rerender();
  });
  return h('div', { class: 'panel' }, h('p', {}, t('email.unverifiedText')), alert, button);
}

export async function render() {
  const me = await loadMe();
  const current = me.email || null;
  const verified = Boolean(current && me.email_verified);

  const formAlert = notice('error');
  const email = field({
    name: 'email',
    label: t('email.label'),
    type: 'email',
    hint: t('email.hint'),
    autocomplete: 'email',
    value: current ?? '',
    required: true,
  });
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    formAlert,
    email.wrapper,
    h('p', {}, h('button', { type: 'submit', class: 'button' }, current ? t('email.change') : t('email.register'))),
  );
  onSubmit(form, formAlert, async () => {
    email.setError(null);
    const value = email.input.value.trim();
    if (!value) {
      email.setError(t('email.missing'));
      email.input.focus();
      return;
    }
    if (!LOOKS_LIKE_EMAIL.test(value)) {
      email.setError(t('email.invalid'));
      email.input.focus();
      return;
    }
    try {
      await api.setEmail(value);
      setFlash('success', t('email.verificationSent', { email: value }));
      rerender();
    } catch (error) {
      if (error.handled) return;
      if (error.code === 'invalid_email') {
        email.setError(t('email.invalid'));
        email.input.focus();
      } else {
        replaceChildren(formAlert, errorContent(error));
      }
    }
  });

  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(t('email.title')),
    flashNotice(),
    h('p', {}, t('email.intro')),
    h('p', { class: 'current-value' }, `${t('email.current')}：`, h('strong', { id: 'current-email' }, current ?? t('email.noneRegistered'))),
    current ? h('p', { id: 'email-status', class: verified ? 'status status--ready' : 'status' }, verified ? t('email.verified') : t('email.unverified')) : null,
    current && !verified ? resendSection(current) : null,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'email-form-heading' },
      h('h2', { id: 'email-form-heading' }, current ? t('email.changeHeading') : t('email.registerHeading')),
      form,
      h('p', { class: 'note' }, t('email.costNote')),
    ),
    current ? deleteSection() : null,
  );
  return { title: t('email.title'), node };
}
