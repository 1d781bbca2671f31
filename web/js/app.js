// Starts the site: loads the library's configuration, finds out whether the patron is logged in,
// and shows the screen named by the hash route (#/loans, #/holds, ...).

import { setAuthHooks } from './api.js';
import { t, setLang, currentLang } from './i18n.js';
import { h, heading, notice, replaceChildren } from './dom.js';
import { state, errorText, withPhoneLink } from './state.js';
import { parseHash, navigate, currentPath, loginPathFor } from './router.js';
import { matchRoute } from './routes.js';
import { renderNav, closeNav } from './nav.js';
import { probeSession } from './session.js';
import { searchPath } from './screens/search.js';

const main = document.getElementById('main');
let renderSeq = 0;

async function loadConfig() {
  try {
    const response = await fetch('config.json', { cache: 'no-store' });
    if (response.ok) Object.assign(state.config, await response.json());
  } catch {
    // Keep the defaults; the page still works without a name and phone.
  }
}

function applyShellTexts() {
  document.documentElement.lang = currentLang();
  const name = state.config.library_name;
  document.getElementById('library-name').textContent = name;
  document.getElementById('site-title').textContent = t('site.title');
  document.getElementById('skip-link').textContent = t('site.skip');
  const search = document.getElementById('site-search');
  search.setAttribute('aria-label', t('search.title'));
  document.getElementById('site-search-label').textContent = t('search.label');
  document.getElementById('site-search-q').placeholder = t('search.placeholder');
  document.getElementById('site-search-button').textContent = t('search.submit');
  const langSwitch = document.getElementById('lang-switch');
  langSwitch.textContent = t('site.langSwitch');
  langSwitch.lang = currentLang() === 'en' ? 'ja' : 'en';
  const footer = document.getElementById('footer-text');
  const siteUrl = /^https?:\/\//i.test(state.config.library_url ?? '') ? state.config.library_url : null;
  replaceChildren(
    footer,
    withPhoneLink(t('site.footer', { name, phone: state.config.library_phone })),
    siteUrl ? ' ' : null,
    siteUrl ? h('a', { href: siteUrl, rel: 'noopener' }, t('site.footerLink')) : null,
  );
}

async function render() {
  const seq = ++renderSeq;
  const { path, query } = parseHash();
  const route = matchRoute(path);

  if (!route) {
    navigate('/loans', { replace: true });
    return;
  }
  if (route.auth && state.session === 'signed-out') {
    navigate(loginPathFor(path, query), { replace: true });
    return;
  }
  if (route.auth && state.session === 'must-change' && !route.allowDuringPasswordChange) {
    navigate(`/password?next=${encodeURIComponent(path)}`, { replace: true });
    return;
  }

  renderNav(path);
  closeNav();
  if (path === '/search') document.getElementById('site-search-q').value = query.q ?? '';
  main.setAttribute('aria-busy', 'true');

  let screen;
  try {
    screen = await route.screen.render({ params: route.params, query, path });
  } catch (error) {
    if (error?.handled) return; // already sent to ログイン or パスワード変更
    screen = errorScreen(error);
  }
  if (seq !== renderSeq) return; // a newer route took over while this one loaded

  main.removeAttribute('aria-busy');
  replaceChildren(main, screen.node);
  document.title = t('site.titleSuffix', { screen: screen.title, name: state.config.library_name });
  renderNav(path);
  const focusTarget = main.querySelector('[data-autofocus]') ?? main.querySelector('h1');
  focusTarget?.focus();
}

function errorScreen(error) {
  console.warn('screen failed', error);
  const title = t('site.title');
  return {
    title,
    node: h(
      'div',
      {},
      heading(title),
      notice('error', errorText(error)),
      h('p', {}, h('button', { type: 'button', class: 'button', onclick: () => render() }, t('common.retry'))),
    ),
  };
}

function setUpShell() {
  document.getElementById('lang-switch').addEventListener('click', () => {
    setLang(currentLang() === 'ja' ? 'en' : 'ja');
    applyShellTexts();
    render();
  });
  document.getElementById('skip-link').addEventListener('click', (event) => {
    // The hash is the route, so move focus without changing it.
    event.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => render());
  // 蔵書検索 from every page: the words go into the route, so results can be bookmarked.
  document.getElementById('site-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('site-search-q');
    const q = input.value.trim();
    if (!q) {
      input.focus();
      return;
    }
    navigate(searchPath(q));
  });
}

setAuthHooks({
  onUnauthenticated() {
    // The session expired: log in again, then come back to where the patron was going.
    state.session = 'signed-out';
    state.me = null;
    const { path, query } = parseHash();
    if (path === '/login') return; // several requests may fail at once
    navigate(loginPathFor(path, query, 'expired'), { replace: true });
  },
  onPasswordChangeRequired() {
    state.session = 'must-change';
    navigate(`/password?next=${encodeURIComponent(currentPath())}`, { replace: true });
  },
});

async function start() {
  setLang(currentLang());
  setUpShell();
  await loadConfig();
  applyShellTexts();
  await probeSession();
  await render();
}

start();
