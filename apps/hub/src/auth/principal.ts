import type { PrincipalInfo } from '../../../../libs/contracts/src/index.js';

/** The authenticated caller of a request or socket. */
export interface Principal extends PrincipalInfo {
  /** Refresh-token family of a user's session (revoked on logout); none for API keys. */
  sessionId?: string;
  /** Epoch ms when the access token expires; none for API keys. */
  expiresAt?: number;
  /** Signed in with a one-time or admin-set password: only "me" and "change password" until changed. */
  mustChangePassword?: boolean;
}

/** Admins hold every site; everyone else only their grants. */
export const canAccessSite = (p: Pick<Principal, 'siteIds'>, siteId: string): boolean => p.siteIds === '*' || p.siteIds.includes(siteId);

/** How a principal is named in the audit log. */
export const actorName = (p: Pick<Principal, 'kind' | 'name'>): string => (p.kind === 'apiKey' ? `apikey:${p.name}` : p.name);

/** The sites a principal may see, among those known. */
export const visibleSites = (p: Pick<Principal, 'siteIds'>, known: readonly string[]): string[] =>
  p.siteIds === '*' ? [...known] : known.filter((s) => p.siteIds.includes(s));
