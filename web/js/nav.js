// The My Page menu. What it offers depends on the session: a temporary-password session
// reaches only パスワード変更 and ログアウト (R-ACCT-3).

import { t } from './i18n.js';
import { h, replaceChildren } from './dom.js';
import { state, setFlash } from './state.js';
import { navigate } from './router.js';
import { logout } from './session.js';

const nav = document.getElementById('site-nav');
let toggle;
let list;
let greeting;
let lastKey = '';

function items() {
  switch (state.session) {
    case 'signed-in':
      return [
        ['/loans', 'nav.loans'],
        ['/holds', 'nav.holds'],
        ['/hold-cart', 'nav.holdCart'],
        ['/new-arrivals', 'nav.newArrivals'],
        ['/reading-history', 'nav.history'],
        ['/calendar', 'nav.calendar'],
        ['/account', 'nav.account'],
        ['/email', 'nav.email'],
        ['/notifications', 'nav.notifications'],
        ['/ebooks', 'nav.ebooks'],
        ['/password', 'nav.password'],
      ];
    case 'must-change':
      return [['/password', 'nav.password']];
    default:
      return [
        ['/login', 'nav.login'],
        ['/new-arrivals', 'nav.newArrivals'],
        ['/calendar', 'nav.calendar'],
      ];
  }
}

function build() {
  toggle = h('button', {
    type: 'button',
    class: 'nav-toggle',
    'aria-expanded': 'false',
    'aria-controls': 'nav-list',
    onclick: () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'),
  });
  list = h('ul', { class: 'nav-list', id: 'nav-list' });
  greeting = h('p', { class: 'nav-greeting' });
  nav.append(greeting, toggle, list);
  nav.hidden = false;
  nav.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && toggle.getAttribute('aria-expanded') === 'true') {
      setOpen(false);
      toggle.focus();
    }
  });
}

function setOpen(open) {
  toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  nav.classList.toggle('is-open', open);
}

export function closeNav() {
  if (toggle) setOpen(false);
}

async function onLogout() {
  await logout();
  setFlash('success', t('logout.done'));
  navigate('/login', { replace: false });
}

function section(path) {
  // "/loans/L1/renew" belongs to 貸出一覧, "/titles/B1" to 新着図書.
  if (path.startsWith('/loans')) return '/loans';
  if (path.startsWith('/holds')) return '/holds';
  if (path.startsWith('/hold-cart')) return '/hold-cart';
  if (path.startsWith('/titles') || path.startsWith('/new-arrivals')) return '/new-arrivals';
  return path;
}

export function renderNav(path) {
  if (!toggle) build();
  const key = `${state.session}|${section(path)}|${document.documentElement.lang}|${state.me?.name ?? ''}`;
  if (key === lastKey) return;
  lastKey = key;

  nav.setAttribute('aria-label', t('site.nav'));
  toggle.textContent = t('nav.menu');
  greeting.textContent = state.session === 'signed-in' && state.me?.name ? t('nav.greeting', { name: state.me.name }) : '';
  const current = section(path);
  const entries = items().map(([href, key]) =>
    h('li', {}, h('a', { href: `#${href}`, 'aria-current': href === current ? 'page' : null }, t(key))),
  );
  if (state.session === 'signed-in' || state.session === 'must-change') {
    entries.push(h('li', {}, h('button', { type: 'button', class: 'nav-logout', onclick: onLogout }, t('nav.logout'))));
  }
  replaceChildren(list, entries);
}
