import type { Role } from '../../../../libs/contracts/src/index.js';

/** Role sets routes are declared with, named for what they allow. */
export const ALL_ROLES: readonly Role[] = ['admin', 'security', 'operator', 'manager', 'ioc'];
/** Signed-in people (not wall displays). */
export const USER_ROLES: readonly Role[] = ['admin', 'security', 'operator', 'manager'];
export const ADMIN: readonly Role[] = ['admin'];
