// Hub session for the browser pages: an IOC wall display's API key (from the URL fragment
// `#key=cgk_…`, kept in localStorage), or a user's login with an access token refreshed before it
// expires. Every REST call and the Socket.IO handshake take their credential from here.
import { t } from '/i18n.js';

const KEY = 'cg.apiKey';
const TOKENS = 'cg.session';
const $ = (id) => document.getElementById(id);

let refreshTimer = null;
let refreshing = null;

const fromFragment = new URLSearchParams(location.hash.slice(1)).get('key');
if (fromFragment) {
  localStorage.setItem(KEY, fromFragment);
  // Off the address bar (and out of screenshots and history) once stored.
  history.replaceState(null, '', location.pathname + location.search);
}

const apiKey = () => localStorage.getItem(KEY);
const tokens = () => JSON.parse(localStorage.getItem(TOKENS) ?? 'null');

/** What the Socket.IO handshake sends (`io({ auth: (cb) => cb(socketAuth()) })`). */
export const socketAuth = () => (apiKey() ? { apiKey: apiKey() } : { token: tokens()?.accessToken });

export const signedInAs = () => (apiKey() ? null : tokens()?.user?.name ?? null);

function store(pair) {
  localStorage.setItem(TOKENS, JSON.stringify(pair));
  clearTimeout(refreshTimer);
  // Renew at 80 % of the access token's life, so requests rarely meet an expired one.
  refreshTimer = setTimeout(() => refresh().catch(() => undefined), pair.expiresIn * 800);
}

/** Swaps the refresh token for a new pair; false when the session is gone (log in again). */
export function refresh() {
  refreshing ??= (async () => {
    const rt = tokens()?.refreshToken;
    if (!rt) return false;
    const res = await fetch('/api/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: rt }) });
    if (!res.ok) {
      localStorage.removeItem(TOKENS);
      return false;
    }
    store(await res.json());
    return true;
  })().finally(() => (refreshing = null));
  return refreshing;
}

function showLogin() {
  return new Promise((resolve) => {
    $('login').hidden = false;
    $('login-user').focus();
    $('login-form').onsubmit = async (e) => {
      e.preventDefault();
      $('login-error').textContent = '';
      const res = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: $('login-user').value.trim(), password: $('login-pass').value }),
      });
      if (!res.ok) {
        $('login-error').textContent = t(res.status === 429 ? 'loginLocked' : 'loginFailed');
        return;
      }
      store(await res.json());
      $('login-pass').value = '';
      $('login').hidden = true;
      resolve();
    };
  });
}

/** Resolves once there is a credential: a stored key, a live session, or the login form. */
export async function ensureSession() {
  if (apiKey()) return;
  const pair = tokens();
  if (pair && (await refresh())) return;
  await showLogin();
}

/** fetch with the credential; on 401 refreshes once (or asks to log in again) and retries. */
export async function apiFetch(path, init = {}) {
  const go = () => fetch(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${apiKey() ?? tokens()?.accessToken ?? ''}` } });
  const res = await go();
  if (res.status !== 401) return res;
  if (apiKey()) return res;
  if (!(await refresh())) await showLogin();
  return go();
}

export async function logout() {
  const rt = tokens()?.refreshToken;
  localStorage.removeItem(TOKENS);
  localStorage.removeItem(KEY);
  if (rt) await fetch('/api/auth/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: rt }) }).catch(() => undefined);
  location.reload();
}

/** After the hub refused or closed the socket for its credential: renew it (or log in) and reconnect. */
export async function reauthenticate(socket) {
  if (apiKey()) return; // a revoked key stays out; an admin issues a new one
  if (!(await refresh())) await showLogin();
  socket.connect();
}
