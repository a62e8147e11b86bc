/**
 * Socket.IO event names. This file has no imports so the hub can also serve its compiled form to
 * the browser (`/contracts/socket-events.js`): web, hub and edge use the very same names.
 */
export const SocketEvents = {
  /** client → hub: join the rooms of these sites; answered with a `counts:snapshot` per site. */
  subscribe: 'subscribe',
  /** hub → client: full today's totals for one site. */
  countsSnapshot: 'counts:snapshot',
  /** hub → client: totals of the gates, zones and the site touched by the last ingested batch. */
  countsUpdate: 'counts:update',
  /** hub → client: the newest events of a site (ticker). */
  eventsNew: 'events:new',
  /** hub → client: a gate went online/offline. */
  gateStatus: 'gate:status',
  /** hub → every client: an administrator changed sites `{ siteIds }` (names, zones, gates, capacity): load them again. */
  sitesChanged: 'sites:changed',
  /** hub → client: live state of one gate lane (operator console), masked by the viewer's role. */
  laneState: 'lane:state',
  /** hub → client: a lane refused someone on the watchlist (console banner + sound). */
  laneWatchlistHit: 'lane:watchlist-hit',
  /** hub → client (alert room of the site): a new watchlist alert. */
  alertNew: 'alert:new',
  /** hub → client (alert room of the site): an alert was acknowledged, resolved or marked false positive. */
  alertUpdate: 'alert:update',
  /** client → hub: start watching one gate camera (answered { ok } or { ok: false, error }); audited. */
  cameraWatch: 'camera:watch',
  /** client → hub: stop watching it. */
  cameraUnwatch: 'camera:unwatch',
  /** hub → client: one annotated frame of a watched camera (JPEG as binary). */
  cameraFrame: 'camera:frame',
  /** hub → client: an error answering a client request. */
  error: 'error:client',
} as const;

/** Socket.IO room for one site's live data. */
export const siteRoom = (siteId: string) => `site:${siteId}`;

/**
 * Socket.IO room for one site's alerts. The hub puts every socket of a security or admin user into
 * the alert room of each site they hold a grant for, at connection; alerts are emitted only there.
 */
export const alertRoom = (siteId: string) => `alerts:${siteId}`;

/**
 * Alert room for a role other than security/admin that an alert rule notifies (e.g. operator): the
 * hub's socket auth joins these for users holding that role and a grant for the site.
 */
export const alertRoleRoom = (siteId: string, role: string) => `alerts:${siteId}:${role}`;

/** Socket.IO room of the sockets watching one gate camera. */
export const cameraRoom = (siteId: string, gateId: string, cameraId: string) => `camera:${siteId}/${gateId}/${cameraId}`;
