import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../../../libs/contracts/src/index.js';

/**
 * Access metadata read by the hub's global guard (REST) and the socket auth (Socket.IO). Every route
 * declares who may call it; a route with no declaration is refused, so a new route cannot be open by
 * accident.
 */
export const ACCESS_KEY = 'cg:access';

export type SiteFrom =
  /** The site id is in the query string under this name. */
  | { query: string }
  /** …or in a route parameter. */
  | { param: string }
  /** …or in the JSON body. */
  | { body: string };

export interface AccessRule {
  /** Reachable without credentials (login, health, the static page shell). */
  public?: boolean;
  roles?: readonly Role[];
  /** Where the request names its site; the caller must hold a grant for that site (admin: all). */
  site?: SiteFrom;
}

/** Roles allowed on this route, and optionally where it names its site. */
export const Access = (roles: readonly Role[], site?: SiteFrom) => SetMetadata(ACCESS_KEY, { roles, site } satisfies AccessRule);

/** No credentials needed. */
export const Public = () => SetMetadata(ACCESS_KEY, { public: true } satisfies AccessRule);

/**
 * Reachable by a user who must still change a one-time password (who they are, change password).
 * Every other route answers such a user 403 `password_change_required`.
 */
export const BEFORE_PASSWORD_CHANGE_KEY = 'cg:before-password-change';
export const AllowedBeforePasswordChange = () => SetMetadata(BEFORE_PASSWORD_CHANGE_KEY, true);
