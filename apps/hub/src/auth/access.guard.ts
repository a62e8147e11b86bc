import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { BODY_LIMIT_KEY, readJsonBody } from '../http/json-body.js';
import { CodedError } from '../http/coded-error.js';
import { ACCESS_KEY, BEFORE_PASSWORD_CHANGE_KEY, type AccessRule, type SiteFrom } from './access.decorators.js';
import { canAccessSite, type Principal } from './principal.js';
import { SessionsService } from './sessions.service.js';
import { looksLikeApiKey } from './api-keys.service.js';

/**
 * `Authorization: Bearer <jwt or API key>`, or `X-Api-Key: <key>` for wall displays. X-Api-Key carries
 * API keys only: a user's access token (JWT) there is no credential.
 */
export function credentialOf(req: Pick<Request, 'headers'>): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const k = req.headers['x-api-key'];
  return typeof k === 'string' && looksLikeApiKey(k) ? k : undefined;
}

function siteOf(req: Request, from: SiteFrom): unknown {
  if ('query' in from) return (req.query as Record<string, unknown>)[from.query];
  if ('param' in from) return req.params[from.param];
  return (req.body as Record<string, unknown> | undefined)?.[from.body];
}

/**
 * The hub's one REST guard (APP_GUARD): every route declares `@Access` or `@Public`, anything else is
 * refused. 401 without a valid credential; 403 for a role not listed, or a site the caller holds no
 * grant for. A route whose site is optional (event search) gets no site here and scopes by the
 * principal itself. A user signed in with a one-time password reaches only the routes marked
 * `@AllowedBeforePasswordChange` (403 `password_change_required` elsewhere). Request bodies are parsed here, after the credential and role check (readJsonBody).
 * Sockets authenticate at the handshake instead (SocketAuth).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!rule) throw new ForbiddenException('this route declares no access rule');
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (rule.public) {
      await readJsonBody(req);
      return true;
    }
    const principal = await this.sessions.authenticate(credentialOf(req));
    if (!principal) throw new UnauthorizedException('a valid access token or API key is required');
    req.principal = principal;
    if (!rule.roles?.includes(principal.role)) throw new ForbiddenException(`role ${principal.role} may not use this route`);
    // A one-time (or admin-set) password: nothing but "who am I" and "change password" until it is changed.
    if (
      principal.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean | undefined>(BEFORE_PASSWORD_CHANGE_KEY, [ctx.getHandler(), ctx.getClass()])
    )
      throw new CodedError(403, 'password_change_required', 'change the one-time password first (POST /api/auth/password)');
    // Only now is the body read, with the route's limit (large only where photos are posted).
    await readJsonBody(req, this.reflector.getAllAndOverride<string | undefined>(BODY_LIMIT_KEY, [ctx.getHandler(), ctx.getClass()]));
    if (rule.site) {
      const siteId = siteOf(req, rule.site);
      if (typeof siteId === 'string' && siteId && !canAccessSite(principal, siteId))
        throw new ForbiddenException(`no grant for site ${siteId}`);
      if (Array.isArray(siteId)) throw new ForbiddenException('one site per request');
    }
    return true;
  }
}
