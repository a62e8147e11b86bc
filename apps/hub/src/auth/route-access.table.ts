import type { Role } from '../../../../libs/contracts/src/index.js';

/**
 * Who may call each route of the hub, for the role × route × site matrix test. Every route the app
 * registers must be listed here (the test enumerates them from the router), so adding a route means
 * saying who may use it.
 *   access: 'public' (anyone), 'loopback' (public from 127.0.0.1, e.g. /metrics), or the roles allowed.
 *   site:   where the request names its site, if the route is bound to one (then a caller without a
 *           grant for that site gets 403).
 *   request(siteId): a request that passes validation or fails it for another reason than auth.
 */
export interface RouteAccess {
  access: 'public' | 'loopback' | readonly Role[];
  site?: 'query' | 'param' | 'body';
  request: (siteId: string) => { path: string; body?: unknown };
}

const ALL: readonly Role[] = ['admin', 'security', 'operator', 'manager', 'ioc'];
const USERS: readonly Role[] = ['admin', 'security', 'operator', 'manager'];
const ADMIN: readonly Role[] = ['admin'];
const SECURITY: readonly Role[] = ['admin', 'security'];
const hour = () => {
  const to = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
  return `from=${new Date(to.getTime() - 3_600_000).toISOString()}&to=${to.toISOString()}`;
};

export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  'GET /health': { access: 'public', request: () => ({ path: '/health' }) },
  'GET /metrics': { access: 'loopback', request: () => ({ path: '/metrics' }) },
  'GET /docs': { access: 'public', request: () => ({ path: '/docs' }) },
  'GET /docs-json': { access: 'public', request: () => ({ path: '/docs-json' }) },
  'GET /docs-yaml': { access: 'public', request: () => ({ path: '/docs-yaml' }) },
  // Swagger UI's own files: the API description is no secret in an open-source project.
  'GET /docs/': { access: 'public', request: () => ({ path: '/docs/' }) },
  'GET /docs/index.html': { access: 'public', request: () => ({ path: '/docs/index.html' }) },
  'GET /docs/LICENSE': { access: 'public', request: () => ({ path: '/docs/LICENSE' }) },
  'GET /docs/swagger-ui-init.js': { access: 'public', request: () => ({ path: '/docs/swagger-ui-init.js' }) },
  'GET /docs/docs/swagger-ui-init.js': { access: 'public', request: () => ({ path: '/docs/docs/swagger-ui-init.js' }) },
  'GET /api/sites': { access: ALL, request: () => ({ path: '/api/sites' }) },
  'GET /api/admin/sites': { access: ADMIN, request: () => ({ path: '/api/admin/sites' }) },
  'POST /api/admin/sites': { access: ADMIN, request: () => ({ path: '/api/admin/sites', body: {} }) },
  'PUT /api/admin/sites/:siteId': { access: ADMIN, request: (s) => ({ path: `/api/admin/sites/${s}`, body: {} }) },
  'GET /api/counts': { access: ALL, site: 'query', request: (s) => ({ path: `/api/counts?siteId=${s}&${hour()}&bucket=1m` }) },
  'GET /api/counts/today': { access: ALL, site: 'query', request: (s) => ({ path: `/api/counts/today?siteId=${s}` }) },
  'GET /api/gate-status': { access: ALL, site: 'query', request: (s) => ({ path: `/api/gate-status?siteId=${s}` }) },
  'GET /api/events': { access: USERS, site: 'query', request: (s) => ({ path: `/api/events?siteId=${s}` }) },
  // An event's face crop from its edge; the site is the event's (checked, and every refusal audited, by the controller).
  'GET /api/events/:eventId': { access: USERS, request: () => ({ path: '/api/events/01900000-0000-7000-8000-000000000000' }) },
  'GET /api/events/:eventId/crop': {
    access: ['admin', 'security', 'operator'],
    request: () => ({ path: '/api/events/01900000-0000-7000-8000-000000000000/crop' }),
  },
  'GET /api/dead-letters': { access: ADMIN, request: () => ({ path: '/api/dead-letters' }) },
  'POST /api/auth/login': { access: 'public', request: () => ({ path: '/api/auth/login', body: {} }) },
  'POST /api/auth/refresh': { access: 'public', request: () => ({ path: '/api/auth/refresh', body: {} }) },
  'POST /api/auth/logout': {
    access: 'public',
    request: () => ({ path: '/api/auth/logout', body: { refreshToken: 'not-a-token-of-this-hub' } }),
  },
  'GET /api/auth/me': { access: ALL, request: () => ({ path: '/api/auth/me' }) },
  'POST /api/auth/password': {
    access: USERS,
    request: () => ({ path: '/api/auth/password', body: { currentPassword: 'wrong', newPassword: 'x' } }),
  },
  'GET /api/users': { access: ADMIN, request: () => ({ path: '/api/users' }) },
  'POST /api/users': { access: ADMIN, request: () => ({ path: '/api/users', body: { username: 'x' } }) },
  'PATCH /api/users/:id': { access: ADMIN, request: () => ({ path: '/api/users/999999', body: {} }) },
  'DELETE /api/users/:id': { access: ADMIN, request: () => ({ path: '/api/users/999999' }) },
  'GET /api/api-keys': { access: ADMIN, request: () => ({ path: '/api/api-keys' }) },
  'POST /api/api-keys': { access: ADMIN, request: () => ({ path: '/api/api-keys', body: {} }) },
  'DELETE /api/api-keys/:id': { access: ADMIN, request: () => ({ path: '/api/api-keys/999999' }) },
  'GET /api/gate-credentials': { access: ADMIN, request: () => ({ path: '/api/gate-credentials' }) },
  'POST /api/gate-credentials': {
    access: ADMIN,
    request: (s) => ({ path: '/api/gate-credentials', body: { siteId: s, gateId: 'no-such-gate' } }),
  },
  'DELETE /api/gate-credentials/:siteId/:gateId': { access: ADMIN, request: (s) => ({ path: `/api/gate-credentials/${s}/no-such-gate` }) },
  'GET /api/audit': { access: ADMIN, request: () => ({ path: '/api/audit' }) },
  // Watchlists and alerts (issue 6 part B).
  'GET /api/sites/:siteId/watchlist': { access: SECURITY, site: 'param', request: (s) => ({ path: `/api/sites/${s}/watchlist` }) },
  'POST /api/sites/:siteId/watchlist': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/watchlist`, body: {} }),
  },
  'POST /api/sites/:siteId/watchlist/search': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/watchlist/search`, body: {} }),
  },
  'GET /api/sites/:siteId/watchlist/:entryId': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/watchlist/999999` }),
  },
  'PATCH /api/sites/:siteId/watchlist/:entryId': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/watchlist/999999`, body: {} }),
  },
  'DELETE /api/sites/:siteId/watchlist/:entryId': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/watchlist/999999` }),
  },
  'GET /api/sites/:siteId/alerts': { access: SECURITY, site: 'param', request: (s) => ({ path: `/api/sites/${s}/alerts` }) },
  'POST /api/sites/:siteId/alerts/:alertId/:action': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/alerts/999999/acknowledge`, body: {} }),
  },
  'POST /api/sites/:siteId/alerts/acknowledge': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/alerts/acknowledge`, body: { alertIds: ['999999'], note: 'x' } }),
  },
  'GET /api/sites/:siteId/alerts/:alertId/sightings': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/alerts/999999/sightings` }),
  },
  'GET /api/sites/:siteId/alerts/:alertId/photos': {
    access: SECURITY,
    site: 'param',
    request: (s) => ({ path: `/api/sites/${s}/alerts/999999/photos` }),
  },
  'GET /api/alert-rules': { access: ADMIN, request: () => ({ path: '/api/alert-rules' }) },
  'PUT /api/alert-rules': { access: ADMIN, request: () => ({ path: '/api/alert-rules', body: {} }) },
  // One person's data on request (issue 6, privacy).
  'POST /api/privacy/person-search': { access: ADMIN, request: () => ({ path: '/api/privacy/person-search', body: {} }) },
  'POST /api/privacy/person-export': { access: ADMIN, request: () => ({ path: '/api/privacy/person-export', body: {} }) },
  'POST /api/privacy/person-erase': { access: ADMIN, request: () => ({ path: '/api/privacy/person-erase', body: {} }) },
  // Reports and exports (issue 14).
  'GET /api/reports/summary': { access: USERS, site: 'query', request: (s) => ({ path: `/api/reports/summary?siteId=${s}&${hour()}` }) },
  'GET /api/reports/export': {
    access: USERS,
    site: 'query',
    request: (s) => ({ path: `/api/reports/export?siteId=${s}&${hour()}&format=csv` }),
  },
  // Gate consoles (issue 7).
  'GET /api/gate-control/lanes': {
    access: ['admin', 'operator', 'security'],
    site: 'query',
    request: (s) => ({ path: `/api/gate-control/lanes?siteId=${s}` }),
  },
  'POST /api/gate-control/review': {
    access: ['admin', 'operator'],
    site: 'body',
    request: (s) => ({ path: '/api/gate-control/review', body: { siteId: s } }),
  },
  'POST /api/gate-control/open': {
    access: ['admin', 'operator'],
    site: 'body',
    request: (s) => ({ path: '/api/gate-control/open', body: { siteId: s } }),
  },
  'POST /api/gate-control/can': {
    access: ['admin', 'operator'],
    site: 'body',
    request: (s) => ({ path: '/api/gate-control/can', body: { siteId: s } }),
  },
};
