// Every screen of the guide and its hash route. auth: needs a logged-in patron.

import * as login from './screens/login.js';
import * as password from './screens/password.js';
import * as loans from './screens/loans.js';
import * as renew from './screens/renew.js';
import * as holds from './screens/holds.js';
import * as cancelHold from './screens/cancel-hold.js';
import * as changeHold from './screens/hold-change.js';
import * as holdCart from './screens/hold-cart.js';
import * as newArrivals from './screens/new-arrivals.js';
import * as search from './screens/search.js';
import * as title from './screens/title.js';
import * as holdCandidates from './screens/hold-candidates.js';
import * as email from './screens/email.js';
import * as verifyEmail from './screens/verify-email.js';
import * as renewalLink from './screens/renewal-link.js';
import * as notifications from './screens/notifications.js';
import * as ebooks from './screens/ebooks.js';
import * as calendar from './screens/calendar.js';
import * as readingHistory from './screens/reading-history.js';
import * as account from './screens/account.js';

const routes = [
  { pattern: '/login', screen: login, auth: false },
  { pattern: '/password', screen: password, auth: true, allowDuringPasswordChange: true },
  { pattern: '/loans', screen: loans, auth: true },
  { pattern: '/loans/:loanId/renew', screen: renew, auth: true },
  { pattern: '/holds', screen: holds, auth: true },
  { pattern: '/holds/:holdId/cancel', screen: cancelHold, auth: true },
  { pattern: '/holds/:holdId/change', screen: changeHold, auth: true },
  { pattern: '/hold-cart', screen: holdCart, auth: true },
  { pattern: '/hold-cart/add/:bibId', screen: holdCart, auth: true },
  { pattern: '/new-arrivals', screen: newArrivals, auth: false },
  { pattern: '/search', screen: search, auth: false },
  { pattern: '/titles/:bibId', screen: title, auth: false },
  { pattern: '/titles/:bibId/hold', screen: holdCandidates, auth: true },
  { pattern: '/email', screen: email, auth: true },
  { pattern: '/verify-email', screen: verifyEmail, auth: false },
  { pattern: '/renewal', screen: renewalLink, auth: false },
  { pattern: '/notifications', screen: notifications, auth: true },
  { pattern: '/ebooks', screen: ebooks, auth: true },
  { pattern: '/calendar', screen: calendar, auth: false },
  { pattern: '/reading-history', screen: readingHistory, auth: true },
  { pattern: '/account', screen: account, auth: true },
];

export function matchRoute(path) {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const patternParts = route.pattern.split('/').filter(Boolean);
    if (patternParts.length !== parts.length) continue;
    const params = {};
    const matches = patternParts.every((part, i) => {
      if (part.startsWith(':')) {
        try {
          params[part.slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          return false;
        }
        return true;
      }
      return part === parts[i];
    });
    if (matches) return { ...route, params };
  }
  return null;
}
