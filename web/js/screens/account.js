// アカウント: who the patron is, and ログイン中の端末 (R-ACCT-9): every session of this card,
// with when it started and was last used and the browser that opened it. Any of them can be
// logged out from here (a library PC left logged in, say); this one is marked.

import { api } from '../api.js';
import { t, formatInstant } from '../i18n.js';
import { h, heading, notice, details, card } from '../dom.js';
import { state, setFlash, flashNotice } from '../state.js';
import { navigate } from '../router.js';
import { loadMe } from '../session.js';
import { confirming } from '../actions.js';

// "Chrome（Windows）" from a User-Agent; the raw text is shown too.
export function deviceName(userAgent) {
  if (!userAgent) return t('account.unknownDevice');
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/Firefox\//, 'Firefox'],
      [/(Chrome|Chromium|CriOS)\//, 'Chrome'],
      [/Safari\//, 'Safari'],
    ].find(([re]) => re.test(userAgent))?.[1] ?? t('account.browser');
  const system =
    [
      [/iPhone|iPad/, 'iOS'],
      [/Android/, 'Android'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'Mac'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ].find(([re]) => re.test(userAgent))?.[1];
  return system ? t('account.deviceName', { browser, system }) : browser;
}

function sessionItem(s, alert) {
  const name = deviceName(s.user_agent);
  const label = s.current ? t('account.endThis') : t('account.end');
  const end = confirming({
    label,
    ariaLabel: t('account.endFor', { label, name }),
    question: s.current ? t('account.endThisQuestion') : t('account.endQuestion', { name }),
    yes: t('account.endYes'),
    alert,
    onYes: async () => {
      await api.endSession(s.session_id);
      if (s.current) {
        state.session = 'signed-out';
        state.me = null;
        setFlash('success', t('logout.done'));
        navigate('/login');
      } else {
        setFlash('success', t('account.ended', { name }));
        navigate('/account', { replace: true });
      }
    },
  });
  return card({
    titleId: `session-${s.session_id}-title`,
    name: [name, s.current ? [' ', h('span', { class: 'badge' }, t('account.thisDevice'))] : null],
    headingTag: 'h3',
    props: { class: s.current ? 'card--current' : null, 'data-session-id': s.session_id },
    facts: details([
      [t('account.started'), formatInstant(s.created_at)],
      [t('account.lastSeen'), formatInstant(s.last_seen_at)],
      [t('account.userAgent'), h('span', { class: 'user-agent' }, s.user_agent || '—')],
    ]),
    actions: end,
  });
}

export async function render() {
  const [me, { sessions }] = await Promise.all([loadMe(), api.sessions()]);
  const alert = notice('error');
  const title = t('account.title');
  const node = h(
    'div',
    { class: 'screen' },
    heading(title),
    flashNotice(),
    details([
      [t('login.card'), me.card_number],
      [t('account.name'), me.name],
      [t('email.current'), h('span', {}, me.email || t('email.noneRegistered'), ' ', h('a', { href: '#/email' }, t('account.changeEmail')))],
    ]),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'sessions-heading' },
      h('h2', { id: 'sessions-heading' }, t('account.sessionsHeading')),
      h('p', {}, t('account.sessionsIntro')),
      alert,
      h('ul', { class: 'cards', id: 'session-list' }, sessions.map((s) => sessionItem(s, alert))),
      h('p', { class: 'note' }, t('account.passwordNote'), ' ', h('a', { href: '#/password' }, t('nav.password'))),
    ),
  );
  return { title, node };
}
