import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TokenPair } from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { LoginFailures } from '../cluster/login-failures.js';
import { RevokedSessions } from '../cluster/revoked-sessions.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { RefreshTokenEntity, UserEntity } from '../database/entities/index.js';
import { ApiKeysService, looksLikeApiKey } from './api-keys.service.js';
import { dummyHash, verifyPassword } from './password-hasher.js';
import type { Principal } from './principal.js';
import { userPrincipal, UsersService } from './users.service.js';

interface AccessClaims {
  sub: string;
  name: string;
  role: Principal['role'];
  sites: Principal['siteIds'];
  sid: string;
  exp: number;
  /** Must change the password first (one-time or admin-set password). */
  mcp?: true;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const INVALID = 'invalid username or password';

/**
 * Logins, short-lived access tokens (JWT, HS256) and rotating refresh tokens. A refresh token is
 * `<id>.<secret>`; the hub stores a hash of the secret. Each refresh revokes the token used and issues
 * the next of the same family (the session); a revoked token presented again means it leaked, so the
 * whole session is revoked. Access tokens of a revoked session are refused until they expire.
 */
@Injectable()
export class SessionsService {
  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly db: DataSource,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly revoked: RevokedSessions,
    private readonly failures: LoginFailures,
  ) {}

  async login(username: string, password: string, ip: string): Promise<TokenPair> {
    const repo = this.db.getRepository(UserEntity);
    const user = await this.users.findByUsername(username);
    const now = Date.now();
    const fail = (reason: string) => {
      this.audit.recordQuietly({
        actor: username.slice(0, 63),
        action: 'auth.login_failed',
        subjectType: 'user',
        subjectId: user?.id,
        detail: { reason, ip },
      });
      return new UnauthorizedException(INVALID);
    };
    // Failures are counted per username *and* client address: a stranger guessing from elsewhere
    // locks only their own pair out, never the real user at their own desk (behind a load balancer
    // the address is the client's only with HUB_TRUST_PROXY set). Names that do not exist are counted
    // and locked the same way, so a 429 does not tell which names exist.
    const who = user ? user.id : `name:${username.toLowerCase()}`;
    const lock = await this.failures.get(who, ip);
    if (lock?.lockedUntil && lock.lockedUntil > now) {
      const retry = Math.ceil((lock.lockedUntil - now) / 1000);
      this.audit.recordQuietly({
        actor: user?.username ?? username.slice(0, 63),
        action: 'auth.login_locked',
        subjectType: 'user',
        subjectId: user?.id,
        detail: { ip, retryAfterS: retry },
      });
      throw new HttpException(
        { statusCode: 429, message: `too many failed logins; try again in ${retry} s`, retryAfterS: retry },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    // …plus a slower back-off per account over all addresses, so a guess spread over many addresses is
    // slowed too: past loginBackoffThreshold failures, an address that never signed in as this user
    // waits its turn (doubling, at most loginBackoffMaxS); the user's own addresses are not slowed.
    const next = await this.failures.backoff(who, ip, now);
    if (next !== null) {
      const retry = Math.ceil((next - now) / 1000);
      this.audit.recordQuietly({
        actor: user?.username ?? username.slice(0, 63),
        action: 'auth.login_backoff',
        subjectType: 'user',
        subjectId: user?.id,
        detail: { ip, retryAfterS: retry },
      });
      throw new HttpException(
        { statusCode: 429, message: `too many failed logins for this account; try again in ${retry} s`, retryAfterS: retry },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const policy = { threshold: this.cfg.loginLockoutThreshold, baseS: this.cfg.loginLockoutBaseS };
    const backoff = { threshold: this.cfg.loginBackoffThreshold, baseS: this.cfg.loginBackoffBaseS, maxS: this.cfg.loginBackoffMaxS };
    if (!user) {
      await verifyPassword(await dummyHash(), password);
      await this.failures.recordFailure(who, ip, now, policy);
      await this.failures.recordAccountFailure(who, now, backoff);
      throw fail('unknown user');
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      // Lock after the threshold, doubling with each further failure, at most a day (shared through
      // Redis when hub instances share REDIS_URL).
      await this.failures.recordFailure(who, ip, now, policy);
      await this.failures.recordAccountFailure(who, now, backoff);
      await repo.update(user.id, { failedLogins: user.failedLogins + 1 });
      throw fail('wrong password');
    }
    if (user.disabled) throw fail('disabled');
    await this.failures.clear(who, ip);
    await this.failures.rememberAddress(who, ip, now);
    await repo.update(user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now });
    this.audit.recordQuietly({ actor: user.username, action: 'auth.login', subjectType: 'user', subjectId: user.id, detail: { ip } });
    return this.issue(user, randomUUID());
  }

  async refresh(token: string): Promise<TokenPair> {
    const row = await this.findRefresh(token);
    const repo = this.db.getRepository(RefreshTokenEntity);
    if (!row) throw new UnauthorizedException('refresh token is not valid');
    if (row.revokedAt) {
      await this.revokeSession(row.familyId);
      this.audit.recordQuietly({
        actor: `user#${row.userId}`,
        action: 'auth.refresh_reuse',
        subjectType: 'user',
        subjectId: row.userId,
        detail: { session: row.familyId },
      });
      throw new UnauthorizedException('refresh token was already used; the session is revoked');
    }
    if (row.expiresAt <= Date.now()) throw new UnauthorizedException('refresh token expired; log in again');
    const user = await this.users.findById(row.userId);
    if (!user || user.disabled) throw new UnauthorizedException('refresh token is not valid');
    // Only one of two concurrent refreshes with the same token wins.
    const r = await repo
      .createQueryBuilder()
      .update()
      .set({ revokedAt: Date.now() })
      .where('id = :id AND revoked_at IS NULL', { id: row.id })
      .execute();
    if (!r.affected) throw new UnauthorizedException('refresh token was already used');
    return this.issue(user, row.familyId);
  }

  /** Revokes the session the refresh token belongs to and returns it. Unknown tokens are ignored (logout is idempotent). */
  async logout(token: string): Promise<string | undefined> {
    const row = await this.findRefresh(token);
    if (!row) return undefined;
    await this.revokeSession(row.familyId);
    this.audit.recordQuietly({ actor: `user#${row.userId}`, action: 'auth.logout', subjectType: 'user', subjectId: row.userId });
    return row.familyId;
  }

  /** Every session of a user (disabled, password reset). */
  async revokeUser(userId: number): Promise<void> {
    const rows = await this.db.getRepository(RefreshTokenEntity).findBy({ userId });
    for (const f of new Set(rows.map((r) => r.familyId))) await this.revokeSession(f);
  }

  /** A bearer access token (JWT) or an API key → the principal, or null. */
  async authenticate(credential: string | undefined): Promise<Principal | null> {
    if (!credential) return null;
    if (looksLikeApiKey(credential)) return this.apiKeys.authenticate(credential);
    try {
      const c = await this.jwt.verifyAsync<AccessClaims>(credential, { algorithms: ['HS256'] });
      if (await this.revoked.has(c.sid)) return null;
      return {
        kind: 'user',
        id: Number(c.sub),
        name: c.name,
        role: c.role,
        siteIds: c.sites,
        sessionId: c.sid,
        expiresAt: c.exp * 1000,
        ...(c.mcp ? { mustChangePassword: true } : {}),
      };
    } catch {
      return null;
    }
  }

  private async issue(user: UserEntity, familyId: string): Promise<TokenPair> {
    const p = userPrincipal(user);
    const accessToken = await this.jwt.signAsync(
      { name: p.name, role: p.role, sites: p.siteIds, sid: familyId, ...(user.mustChangePassword ? { mcp: true } : {}) },
      { subject: String(user.id), expiresIn: this.cfg.accessTokenTtlS, algorithm: 'HS256' },
    );
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + this.cfg.refreshTokenTtlS * 1000;
    await this.db.getRepository(RefreshTokenEntity).insert({
      id,
      userId: user.id,
      familyId,
      tokenHash: sha256(secret).toString('hex'),
      createdAt: Date.now(),
      expiresAt,
      revokedAt: null,
    });
    return {
      accessToken,
      expiresIn: this.cfg.accessTokenTtlS,
      refreshToken: `${id}.${secret}`,
      refreshExpiresAt: new Date(expiresAt).toISOString(),
      user: { ...p, mustChangePassword: user.mustChangePassword },
    };
  }

  private async findRefresh(token: string): Promise<RefreshTokenEntity | null> {
    const [id, secret] = token.split('.');
    if (!id || !secret || id.length !== 36) return null;
    const row = await this.db.getRepository(RefreshTokenEntity).findOneBy({ id });
    if (!row) return null;
    const a = Buffer.from(row.tokenHash, 'hex');
    const b = sha256(secret);
    return a.length === b.length && timingSafeEqual(a, b) ? row : null;
  }

  private async revokeSession(familyId: string): Promise<void> {
    await this.db
      .getRepository(RefreshTokenEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: Date.now() })
      .where('family_id = :f AND revoked_at IS NULL', { f: familyId })
      .execute();
    await this.revoked.add(familyId, Date.now() + this.cfg.accessTokenTtlS * 1000);
  }
}
