// 予約連絡方法 (R-HOLD-3): 不要 or メール, and メール only with a registered address. One fieldset
// for placing a hold (one title or the whole cart) and for changing a hold's contact method.

import { t } from './i18n.js';
import { h, uniqueId } from './dom.js';

function radio(name, value, label, { checked, disabled, describedBy } = {}) {
  const id = uniqueId(`notify-${value}`);
  return h(
    'div',
    { class: 'choice' },
    h('input', { type: 'radio', id, name, value, checked, disabled, 'aria-describedby': describedBy }),
    h('label', { for: id }, label),
  );
}

// me: the profile (GET /api/me). current: the method to start from (default: メール when an
// address is registered).
export function notifyFieldset(me, { current } = {}) {
  const hasEmail = Boolean(me?.email);
  // Mail goes only to a confirmed address (R-MAIL-5); say so before the patron relies on it.
  const unverified = hasEmail && me.email_verified === false;
  const helpId = uniqueId('email-help');
  const start = hasEmail ? current ?? 'email' : 'none';
  let help = null;
  if (!hasEmail) help = h('p', { class: 'field-hint', id: helpId }, h('a', { href: '#/email' }, t('candidates.registerEmail')));
  else if (unverified) help = h('p', { class: 'field-hint', id: helpId }, t('candidates.emailUnverified'), ' ', h('a', { href: '#/email' }, t('candidates.confirmEmail')));
  return h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, t('candidates.method')),
    radio('notify', 'none', t('candidates.methodNone'), { checked: start === 'none' }),
    radio('notify', 'email', hasEmail ? t('candidates.methodEmail', { email: me.email }) : t('candidates.methodEmailNoAddress'), {
      checked: start === 'email',
      disabled: !hasEmail,
      describedBy: help ? helpId : null,
    }),
    help,
  );
}

export function chosenNotify(form) {
  return form.querySelector('input[name=notify]:checked')?.value ?? 'none';
}

// Follows the words of 400 email_not_registered: where to register an address.
export function registerEmailLink(error) {
  return error?.code === 'email_not_registered' ? [' ', h('a', { href: '#/email' }, t('candidates.registerEmail'))] : null;
}
