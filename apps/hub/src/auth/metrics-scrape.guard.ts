import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * /metrics holds no personal data but does reveal traffic and gate health. Prometheus cannot log in,
 * so: with HUB_METRICS_TOKEN set, a scrape needs `Authorization: Bearer <token>`; without it, only
 * loopback callers (a local scraper or exporter) are answered. Behind a reverse proxy on the same
 * host every request looks local, so set the token there.
 */
@Injectable()
export class MetricsScrapeGuard implements CanActivate {
  constructor(@Inject(HUB_CONFIG) private readonly cfg: HubConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<Request>();
    if (this.cfg.metricsToken) {
      const given = Buffer.from(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
      const want = Buffer.from(this.cfg.metricsToken);
      if (given.length === want.length && timingSafeEqual(given, want)) return true;
      throw new ForbiddenException('metrics need the scrape token');
    }
    // The client's address: behind a trusted balancer (HUB_TRUST_PROXY) the socket's peer is the
    // balancer on loopback, and every outside caller would pass.
    if (LOOPBACK.has(req.ip ?? req.socket.remoteAddress ?? '') && LOOPBACK.has(req.socket.remoteAddress ?? '')) return true;
    throw new ForbiddenException('metrics are served to loopback only unless HUB_METRICS_TOKEN is set');
  }
}
