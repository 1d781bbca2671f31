// The My Page API client. The session lives only in the HttpOnly cookie the API sets;
// this code never sees or stores a token.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
    // True when the app has already reacted (sent the patron to ログイン or パスワード変更).
    this.handled = false;
  }
}

const hooks = {
  onUnauthenticated: null,
  onPasswordChangeRequired: null,
};

export function setAuthHooks({ onUnauthenticated, onPasswordChangeRequired }) {
  hooks.onUnauthenticated = onUnauthenticated;
  hooks.onPasswordChangeRequired = onPasswordChangeRequired;
}

// quietAuth: let the caller handle 401/403 itself (the session probe, the login form, logout).
export async function request(method, path, body, { quietAuth = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // The API refuses cookie-authenticated state changes without this header.
  if (method !== 'GET') headers['X-MyPage-CSRF'] = '1';

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error');
  }

  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.ok) return data;

  const code = data?.error?.code ?? (response.status >= 500 ? 'server' : 'unknown');
  const error = new ApiError(response.status, code, data?.error?.message);
  if (!quietAuth) {
    if (response.status === 401 && code === 'unauthenticated' && hooks.onUnauthenticated) {
      error.handled = true;
      hooks.onUnauthenticated();
    } else if (response.status === 403 && code === 'password_change_required' && hooks.onPasswordChangeRequired) {
      error.handled = true;
      hooks.onPasswordChangeRequired();
    }
  }
  throw error;
}

export const api = {
  login: (cardNumber, password) =>
    request('POST', '/api/session', { card_number: cardNumber, password }, { quietAuth: true }),
  logout: () => request('DELETE', '/api/session', undefined, { quietAuth: true }),
  changePassword: (currentPassword, newPassword) =>
    request('PUT', '/api/me/password', { current_password: currentPassword, new_password: newPassword }),
  me: (options) => request('GET', '/api/me', undefined, options),
  setEmail: (email) => request('PUT', '/api/me/email', { email }),
  deleteEmail: () => request('DELETE', '/api/me/email'),
  verifyEmail: (token) => request('POST', '/api/email-verification', { token }, { quietAuth: true }),
  loans: () => request('GET', '/api/me/loans'),
  renew: (loanId) => request('POST', `/api/me/loans/${encodeURIComponent(loanId)}/renewal`),
  // The token in a reminder's link authorises this one renewal, without a login (R-MAIL-7).
  renewalLink: (token) => request('GET', `/api/renewal-links/${encodeURIComponent(token)}`, undefined, { quietAuth: true }),
  renewByLink: (token) => request('POST', `/api/renewal-links/${encodeURIComponent(token)}`, undefined, { quietAuth: true }),
  holds: () => request('GET', '/api/me/holds'),
  placeHold: (bibId, notify) => request('POST', '/api/me/holds', { bib_id: bibId, notify }),
  cancelHold: (holdId) => request('DELETE', `/api/me/holds/${encodeURIComponent(holdId)}`),
  // change: any of {suspended_until, not_needed_after, notify}; null resumes / clears.
  changeHold: (holdId, change) => request('PATCH', `/api/me/holds/${encodeURIComponent(holdId)}`, change),
  holdCart: () => request('GET', '/api/me/hold-cart'),
  addToCart: (bibId) => request('PUT', `/api/me/hold-cart/${encodeURIComponent(bibId)}`),
  removeFromCart: (bibId) => request('DELETE', `/api/me/hold-cart/${encodeURIComponent(bibId)}`),
  placeCartHolds: (notify) => request('POST', '/api/me/hold-cart/holds', { notify }),
  notifications: () => request('GET', '/api/me/notifications'),
  saveNotifications: (settings) => request('PUT', '/api/me/notifications', settings),
  calendarFeed: () => request('GET', '/api/me/calendar-feed'),
  newCalendarFeed: (includeTitles) => request('POST', '/api/me/calendar-feed', { include_titles: includeTitles }),
  deleteCalendarFeed: () => request('DELETE', '/api/me/calendar-feed'),
  ebooks: () => request('GET', '/api/me/ebooks'),
  title: (bibId) => request('GET', `/api/catalog/titles/${encodeURIComponent(bibId)}`),
  newArrivals: () => request('GET', '/api/catalog/new-arrivals'),
  calendar: (from, to) => request('GET', `/api/catalog/calendar?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
  readingHistory: (pageToken) =>
    request('GET', `/api/me/reading-history${pageToken ? `?page_token=${encodeURIComponent(pageToken)}` : ''}`),
  setReadingHistory: (enabled) => request('PUT', '/api/me/reading-history', { enabled }),
  deleteHistory: () => request('DELETE', '/api/me/reading-history'),
  deleteHistoryEntry: (entryId) => request('DELETE', `/api/me/reading-history/${encodeURIComponent(entryId)}`),
  sessions: () => request('GET', '/api/me/sessions'),
  endSession: (sessionId) => request('DELETE', `/api/me/sessions/${encodeURIComponent(sessionId)}`),
  search: (q, pageToken) => {
    const params = new URLSearchParams({ q });
    if (pageToken) params.set('page_token', pageToken);
    return request('GET', `/api/catalog/search?${params}`);
  },
};
