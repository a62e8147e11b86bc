import { request } from 'node:http';
import type { GateCredentialIssued, TokenPair } from '../../libs/contracts/src/index.js';
import type { EdgeConfig } from '../../edge/src/config/edge-config.schema.js';

/** The admin every test hub starts with (HUB_ADMIN_USERNAME/PASSWORD or HubConfig overrides). */
export const TEST_ADMIN = { username: 'admin', password: 'test-admin-password-1' } as const;
export const TEST_ADMIN_ENV = { HUB_ADMIN_USERNAME: TEST_ADMIN.username, HUB_ADMIN_PASSWORD: TEST_ADMIN.password };
export const TEST_ADMIN_CONFIG = { adminUsername: TEST_ADMIN.username, adminPassword: TEST_ADMIN.password };

export async function login(
  hubUrl: string,
  username: string = TEST_ADMIN.username,
  password: string = TEST_ADMIN.password,
): Promise<TokenPair> {
  const res = await fetch(`${hubUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as TokenPair;
}

/** A login from a given local (loopback) address, so the hub sees that client IP; resolves with the HTTP status. */
export function loginFrom(localAddress: string, hubUrl: string, username: string, password: string): Promise<number> {
  const body = JSON.stringify({ username, password });
  const u = new URL(`${hubUrl}/api/auth/login`);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** fetch with a bearer credential (access token or API key); JSON bodies. */
export function authedFetch(credential: string) {
  return (url: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(url, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${credential}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
}

/** GET → JSON with a bearer credential, failing loudly on a non-2xx answer. */
export function authedJson(credential: string) {
  const f = authedFetch(credential);
  return async <T>(url: string): Promise<T> => {
    const res = await f(url);
    if (!res.ok) throw new Error(`GET ${url} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

/** Issues MQTT credentials for these gates through the hub's admin API. */
export async function issueGateCredentials(
  hubUrl: string,
  adminToken: string,
  siteId: string,
  gateIds: readonly string[],
): Promise<Map<string, GateCredentialIssued>> {
  const f = authedFetch(adminToken);
  const out = new Map<string, GateCredentialIssued>();
  for (const gateId of gateIds) {
    const res = await f(`${hubUrl}/api/gate-credentials`, { method: 'POST', body: { siteId, gateId } });
    if (res.status !== 201) throw new Error(`issuing credentials for ${siteId}/${gateId} failed: ${res.status} ${await res.text()}`);
    out.set(gateId, (await res.json()) as GateCredentialIssued);
  }
  return out;
}

/** The edge config with each gate's own MQTT login. */
export function withGateCredentials(cfg: EdgeConfig, creds: Map<string, GateCredentialIssued>): EdgeConfig {
  return {
    ...cfg,
    gates: cfg.gates.map((g) => {
      const c = creds.get(g.id);
      return c ? { ...g, mqtt: { username: c.username, password: c.password } } : g;
    }),
  };
}

/** Logs in as the test admin and gives the edge config of `siteId` credentials for all its gates. */
export async function credentialedEdgeConfig(hubUrl: string, cfg: EdgeConfig): Promise<EdgeConfig> {
  const { accessToken } = await login(hubUrl);
  return withGateCredentials(
    cfg,
    await issueGateCredentials(
      hubUrl,
      accessToken,
      cfg.site.id,
      cfg.gates.map((g) => g.id),
    ),
  );
}
