// One sign-in for every screen: a wall display's API key (from the URL fragment `#key=cgk_…`, kept in
// localStorage), or a user's login whose access token is refreshed before it expires. Every REST call
// and the Socket.IO handshake take their credential from here.
import { reactive } from 'vue';
import type { PrincipalInfo, TokenPair } from '@contracts/auth.js';
import { errorText, t } from './i18n.js';

const KEY = 'cg.apiKey';
const TOKENS = 'cg.session';

export const session = reactive<{ principal: PrincipalInfo | null; needLogin: boolean }>({ principal: null, needLogin: false });

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<boolean> | null = null;
let loginWaiters: (() => void)[] = [];

const fromFragment = new URLSearchParams(location.hash.slice(1)).get('key');
if (fromFragment) {
  localStorage.setItem(KEY, fromFragment);
  localStorage.removeItem(TOKENS);
  // Off the address bar (and out of screenshots and history) once stored.
  history.replaceState(null, '', location.pathname + location.search);
}

export const apiKey = () => localStorage.getItem(KEY);
const tokens = (): TokenPair | null => JSON.parse(localStorage.getItem(TOKENS) ?? 'null');

/** What the Socket.IO handshake sends. */
export const socketAuth = () => (apiKey() ? { apiKey: apiKey() } : { token: tokens()?.accessToken });
export const bearer = () => apiKey() ?? tokens()?.accessToken ?? '';

function store(pair: TokenPair) {
  localStorage.setItem(TOKENS, JSON.stringify(pair));
  session.principal = pair.user;
  clearTimeout(refreshTimer);
  // Renew at 80 % of the access token's life, so requests rarely meet an expired one.
  refreshTimer = setTimeout(() => void refresh().catch(() => undefined), pair.expiresIn * 800);
}

/** Swaps the refresh token for a new pair; false when the session is gone (sign in again). */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const rt = tokens()?.refreshToken;
    if (!rt) return false;
    const res = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: rt }),
    });
    if (!res.ok) {
      localStorage.removeItem(TOKENS);
      return false;
    }
    store(await res.json());
    return true;
  })().finally(() => (refreshing = null));
  return refreshing;
}

/** Shows the sign-in form and resolves once the user has signed in. */
function askLogin(): Promise<void> {
  session.needLogin = true;
  return new Promise((resolve) => loginWaiters.push(resolve));
}

/** The sign-in form's submit: null on success, else the HTTP status and the hub's error body (its code says why). */
export async function login(username: string, password: string): Promise<{ status: number; body: unknown } | null> {
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  }).catch(() => null);
  if (!res) return { status: 0, body: null };
  if (!res.ok) return { status: res.status, body: await res.json().catch(() => null) };
  store(await res.json());
  await loadMe();
  session.needLogin = false;
  const w = loginWaiters;
  loginWaiters = [];
  for (const f of w) f();
  return null;
}

/** Resolves once there is a credential (a stored key, a live session, or the sign-in form) and who it is. */
export async function ensureSession(): Promise<PrincipalInfo> {
  if (apiKey()) {
    for (;;) {
      // A wall waits for the hub rather than failing: it comes back by itself after an outage.
      const res = await fetch('/api/auth/me', { headers: { authorization: `Bearer ${apiKey()}` } }).catch(() => null);
      if (res?.ok) return (session.principal = await res.json());
      if (res && (res.status === 401 || res.status === 403)) throw new KeyRefused();
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
  if (!(tokens() && (await refresh()))) await askLogin();
  else await loadMe();
  return session.principal!;
}

/** Who the session is, from the hub (whether the password must be changed is read from the database). */
async function loadMe(): Promise<void> {
  const res = await fetch('/api/auth/me', { headers: { authorization: `Bearer ${bearer()}` } }).catch(() => null);
  if (res?.ok) session.principal = await res.json();
}

/**
 * Changes one's own password. The hub ends every session of the user, so this signs in again with the
 * new password; throws ApiError (translated) when the current password is wrong or the new one too short.
 */
export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const username = session.principal?.name ?? '';
  await api('/api/auth/password', { method: 'POST', json: { currentPassword, newPassword } });
  localStorage.removeItem(TOKENS);
  const r = await login(username, newPassword);
  if (r) throw new ApiError(r.status, errorText(r.body) ?? t('loginFailed'), r.body);
}

/** The wall's key was revoked or is unknown: an admin issues a new one. */
export class KeyRefused extends Error {
  constructor() {
    super('api key refused');
  }
}

/** An HTTP answer other than 2xx, with the hub's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** fetch with the credential; on 401 refreshes once (or asks to sign in again) and retries. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const go = () =>
    fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${bearer()}` } }).catch(() => {
      // fetch rejects only when no answer came: the network or the hub is down.
      throw new ApiError(0, t('hubUnreachable'), null);
    });
  const res = await go();
  if (res.status !== 401 || apiKey()) return res;
  if (!(await refresh())) await askLogin();
  return go();
}

/** JSON call; throws ApiError with the hub's message (the screens show it). */
export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const res = await apiFetch(
    path,
    json === undefined
      ? rest
      : {
          ...rest,
          headers: { 'content-type': 'application/json', ...(rest.headers as Record<string, string>) },
          body: JSON.stringify(json),
        },
  );
  const text = await res.text();
  const body = text
    ? (() => {
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      })()
    : null;
  if (!res.ok) {
    // The hub still holds a one-time password for this user (reset meanwhile): the change form opens.
    if (res.status === 403 && (body as { code?: unknown })?.code === 'password_change_required' && session.principal)
      session.principal.mustChangePassword = true;
    const m = (body as { message?: unknown })?.message;
    // The hub's code in the viewer's language; its English message only for a code the web does not know.
    throw new ApiError(
      res.status,
      errorText(body) ?? (Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : `${res.status} ${res.statusText}`),
      body,
    );
  }
  return body as T;
}

export async function logout(): Promise<void> {
  const rt = tokens()?.refreshToken;
  localStorage.removeItem(TOKENS);
  localStorage.removeItem(KEY);
  if (rt)
    await fetch('/api/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: rt }),
    }).catch(() => undefined);
  location.assign('/');
}

/** After the hub refused or closed the socket for its credential: renew it (or sign in) and reconnect. */
export async function reauthenticate(socket: { connect(): unknown }): Promise<void> {
  if (apiKey()) return; // a revoked key stays out; an admin issues a new one
  if (!(await refresh())) await askLogin();
  socket.connect();
}
