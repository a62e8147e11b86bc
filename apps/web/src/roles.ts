import type { Role } from '@contracts/roles.js';

/** What each role may open (the hub enforces the same on every route; this only shapes navigation). */
export interface Screen {
  path: string;
  label: string;
  roles: readonly Role[];
  group?: 'admin';
}

export const SCREENS: Screen[] = [
  { path: '/alerts', label: 'navAlerts', roles: ['admin', 'security'] },
  { path: '/console', label: 'navConsole', roles: ['admin', 'operator'] },
  { path: '/reports', label: 'navReports', roles: ['admin', 'manager', 'security', 'operator'] },
  { path: '/events', label: 'navEvents', roles: ['admin', 'manager', 'security', 'operator'] },
  { path: '/wall', label: 'navWall', roles: ['admin', 'manager', 'security', 'operator', 'ioc'] },
  { path: '/admin/watchlist', label: 'navWatchlist', roles: ['admin', 'security'], group: 'admin' },
  { path: '/admin/import', label: 'navImport', roles: ['admin', 'security'], group: 'admin' },
  { path: '/admin/photo-search', label: 'navPhotoSearch', roles: ['admin', 'security'], group: 'admin' },
  { path: '/admin/users', label: 'navUsers', roles: ['admin'], group: 'admin' },
  { path: '/admin/api-keys', label: 'navKeys', roles: ['admin'], group: 'admin' },
  { path: '/admin/gate-credentials', label: 'navCredentials', roles: ['admin'], group: 'admin' },
  { path: '/admin/audit', label: 'navAudit', roles: ['admin'], group: 'admin' },
  { path: '/admin/dead-letters', label: 'navDeadLetters', roles: ['admin'], group: 'admin' },
  { path: '/admin/sites', label: 'navSites', roles: ['admin'], group: 'admin' },
  { path: '/admin/privacy', label: 'navPrivacy', roles: ['admin'], group: 'admin' },
  { path: '/admin/settings', label: 'navSettings', roles: ['admin'], group: 'admin' },
];

/** Where each role lands after signing in. */
export const HOME: Record<Role, string> = {
  admin: '/alerts',
  security: '/alerts',
  operator: '/console',
  manager: '/reports',
  ioc: '/wall',
};

export const mayOpen = (role: Role, path: string) => SCREENS.find((s) => path.startsWith(s.path))?.roles.includes(role) ?? true;
