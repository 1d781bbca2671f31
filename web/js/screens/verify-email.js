// メールアドレスの確認 (R-MAIL-5): the link in the verification email opens this screen; the
// address is verified only when the patron presses the button, so a mail scanner that
// follows the link verifies nothing. No login needed: the link may be opened on a phone.

import { api } from '../api.js';
import { t } from '../i18n.js';
import { h, heading, notice, replaceChildren, linkButton } from '../dom.js';
import { onPress } from '../actions.js';

export async function render({ query }) {
  const token = typeof query.token === 'string' ? query.token : '';
  const result = notice('success');
  const alert = notice('error');
  const button = h('button', { type: 'button', class: 'button' }, t('verify.confirm'));
  const body = h('div', {}, h('p', {}, t('verify.intro')), alert, h('p', {}, button));
  const gone = () =>
    replaceChildren(body, notice('error', t('verify.invalid')), h('p', {}, linkButton('#/email', t('verify.toEmail'))));
  onPress(button, alert, async () => {
    try {
      await api.verifyEmail(token);
    } catch (error) {
      if (error.code !== 'invalid_token' && error.code !== 'invalid_request') throw error;
      gone();
      return;
    }
    replaceChildren(result, t('verify.done'));
    replaceChildren(body, result, h('p', {}, linkButton('#/notifications', t('verify.toNotifications'))));
  });
  if (!token) gone();
  const node = h('div', { class: 'screen screen--narrow' }, heading(t('verify.title')), body);
  return { title: t('verify.title'), node };
}
