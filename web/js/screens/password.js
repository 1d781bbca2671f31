// パスワード変更: forced after a temporary-password login (R-ACCT-3), and available later.
// The rule (半角英数字混在, R-ACCT-4) is checked as the patron types; the server's answer is final.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, field, onSubmit, replaceChildren } from '../dom.js';
import { state, setFlash, errorText, passwordPolicy, errorContent } from '../state.js';
import { navigate, safeNext } from '../router.js';
import { probeSession } from '../session.js';

// Each rule: [text key, test(newPassword, confirmation)].
function rules() {
  const { minLength, maxLength } = passwordPolicy;
  return [
    ['password.ruleAscii', (p) => p.length > 0 && /^[A-Za-z0-9]+$/.test(p), {}],
    ['password.ruleLetter', (p) => /[A-Za-z]/.test(p), {}],
    ['password.ruleDigit', (p) => /[0-9]/.test(p), {}],
    ['password.ruleLength', (p) => p.length >= minLength, { min: minLength }],
    ['password.ruleMax', (p) => p.length > 0 && p.length <= maxLength, { max: maxLength }],
    ['password.ruleMatch', (p, c) => p.length > 0 && p === c, {}],
  ];
}

export async function render({ query }) {
  const forced = state.session === 'must-change';
  // Where to go once the password is changed (never back to this screen).
  const next = safeNext(query.next) === '/password' ? null : safeNext(query.next);

  const formAlert = notice('error');
  const current = field({
    name: 'current_password',
    label: forced ? t('password.currentForced') : t('password.current'),
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const newPassword = field({
    name: 'new_password',
    label: t('password.new'),
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });
  const confirmation = field({
    name: 'new_password_confirmation',
    label: t('password.confirm'),
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });

  const ruleItems = rules().map(([key, test, params]) => {
    const state = h('span', { class: 'visually-hidden' });
    const item = h('li', { class: 'rule' }, h('span', { class: 'rule__mark', 'aria-hidden': 'true' }), t(key, params), state);
    return { item, test, state };
  });
  const ruleList = h('ul', { class: 'rules', id: 'password-rules' }, ruleItems.map((r) => r.item));
  const ruleBox = h(
    'div',
    { class: 'rule-box' },
    h('p', { class: 'rule-box__heading', id: 'password-rules-heading' }, t('password.rulesHeading')),
    ruleList,
    h('p', { class: 'field-hint' }, t('password.serverNote')),
  );
  ruleList.setAttribute('aria-labelledby', 'password-rules-heading');
  // The new-password field is described by the rule list too.
  newPassword.input.setAttribute('aria-describedby', `password-rules ${newPassword.input.getAttribute('aria-describedby')}`);

  function checkRules() {
    const p = newPassword.input.value;
    const c = confirmation.input.value;
    let allMet = true;
    for (const rule of ruleItems) {
      const met = rule.test(p, c);
      allMet &&= met;
      rule.item.classList.toggle('rule--met', met);
      rule.state.textContent = met ? t('password.ruleMet') : t('password.ruleUnmet');
    }
    return allMet;
  }
  checkRules();
  newPassword.input.addEventListener('input', () => {
    checkRules();
    if (newPassword.input.getAttribute('aria-invalid')) newPassword.setError(null);
  });
  confirmation.input.addEventListener('input', () => {
    checkRules();
    if (confirmation.input.getAttribute('aria-invalid')) confirmation.setError(null);
  });

  const submit = h('button', { type: 'submit', class: 'button' }, t('password.submit'));
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    formAlert,
    current.wrapper,
    newPassword.wrapper,
    ruleBox,
    confirmation.wrapper,
    h('p', {}, submit),
  );
  onSubmit(form, formAlert, async () => {
    current.setError(null);
    newPassword.setError(null);
    confirmation.setError(null);

    const p = newPassword.input.value;
    const c = confirmation.input.value;
    let firstInvalid = null;
    if (!current.input.value) {
      current.setError(t('password.currentMissing'));
      firstInvalid = current.input;
    }
    const ruleResults = rules().slice(0, 5).every(([, test]) => test(p, c));
    if (!ruleResults) {
      newPassword.setError(t('password.newInvalid'));
      firstInvalid ??= newPassword.input;
    } else if (p !== c) {
      confirmation.setError(t('password.confirmMismatch'));
      firstInvalid ??= confirmation.input;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return;
    }

    try {
      await api.changePassword(current.input.value, p);
    } catch (error) {
      if (error.handled) return;
      if (error.code === 'invalid_credentials') {
        current.setError(errorText(error, 'password'));
        current.input.value = '';
        current.input.focus();
      } else if (error.code === 'weak_password') {
        newPassword.setError(errorText(error));
        newPassword.input.focus();
      } else {
        replaceChildren(formAlert, errorContent(error));
      }
      return;
    }

    // The API may keep this session or end it; ask, and log in again if it ended.
    await probeSession();
    if (state.session === 'signed-in') {
      setFlash('success', t('password.done'));
      navigate(next ?? '/loans');
    } else {
      setFlash('success', t('login.passwordChanged'));
      navigate(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
    }
  });

  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(t('password.title')),
    forced ? notice('info', t('password.forced')) : null,
    h('p', { class: 'rule-statement' }, t('password.rule', { min: passwordPolicy.minLength })),
    h('p', {}, t('password.intro')),
    form,
  );
  return { title: t('password.title'), node };
}
