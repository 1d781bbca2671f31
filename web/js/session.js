// The patron's session as the page sees it (the token itself stays in the HttpOnly cookie).

import { api } from './api.js';
import { state } from './state.js';

// Asks the API who is logged in, without being sent anywhere on 401.
export async function probeSession() {
  try {
    state.me = await api.me({ quietAuth: true });
    state.session = 'signed-in';
  } catch (error) {
    state.me = null;
    state.session = error.code === 'password_change_required' ? 'must-change' : 'signed-out';
  }
}

// The profile (name, email, hold count and limit), fresh from the API.
export async function loadMe() {
  state.me = await api.me();
  return state.me;
}

export async function logout() {
  try {
    await api.logout();
  } catch {
    // Already logged out or expired: the outcome is the same.
  }
  state.session = 'signed-out';
  state.me = null;
}
