// Hash routes: "#/titles/B123/hold?x=1" -> path "/titles/B123/hold", query {x: "1"}.

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart, queryPart = ''] = raw.split('?');
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  return { path: pathPart.startsWith('/') ? pathPart : `/${pathPart}`, query };
}

export function currentPath() {
  return parseHash().path;
}

export function navigate(pathWithQuery, { replace = false } = {}) {
  const target = `#${pathWithQuery}`;
  if (window.location.hash === target) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (replace) {
    window.location.replace(target);
  } else {
    window.location.hash = target;
  }
}

// Only a path inside this site may be a return address after login.
export function safeNext(next) {
  if (typeof next !== 'string' || !/^\/[A-Za-z0-9\-_.~%/]*$/.test(next)) return null;
  if (next === '/login') return null;
  return next;
}

export function loginPathFor(path, query = {}, reason) {
  const params = new URLSearchParams();
  const next = safeNext(path) ?? safeNext(query.next);
  if (next) params.set('next', next);
  if (reason) params.set('reason', reason);
  const text = params.toString();
  return text ? `/login?${text}` : '/login';
}
