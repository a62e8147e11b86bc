import { CodedError } from '../http/coded-error.js';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { CreateUser, UpdateUser, UserInfo } from '../../../../libs/contracts/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { UserEntity } from '../database/entities/index.js';
import { hashPassword } from './password-hasher.js';
import type { Principal } from './principal.js';

export const userSiteIds = (u: UserEntity): string[] => JSON.parse(u.siteIdsJson) as string[];

export const userPrincipal = (u: UserEntity): Principal => ({
  kind: 'user',
  id: u.id,
  name: u.username,
  role: u.role,
  siteIds: u.role === 'admin' ? '*' : userSiteIds(u),
});

export const userInfo = (u: UserEntity): UserInfo => ({
  id: u.id,
  username: u.username,
  role: u.role,
  siteIds: userSiteIds(u),
  disabled: u.disabled,
  mustChangePassword: u.mustChangePassword,
  createdAt: new Date(u.createdAt).toISOString(),
  lastLoginAt: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
});

/** Users and their grants; creates the first admin at start (from env, or with a printed one-time password). */
@Injectable()
export class UsersService implements OnApplicationBootstrap {
  private readonly log = new Logger('Users');

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly db: DataSource,
  ) {}

  private get repo() {
    return this.db.getRepository(UserEntity);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (await this.repo.existsBy({ role: 'admin' })) return;
    const username = this.cfg.adminUsername ?? 'admin';
    const generated = !this.cfg.adminPassword;
    const password = this.cfg.adminPassword ?? randomBytes(15).toString('base64url');
    const existing = await this.repo.findOneBy({ username });
    if (existing)
      await this.repo.update(existing.id, {
        role: 'admin',
        passwordHash: await hashPassword(password),
        disabled: false,
        mustChangePassword: generated,
      });
    else await this.create({ username, password, role: 'admin', siteIds: [], mustChangePassword: generated }, generated);
    if (generated) {
      // Printed once, on the console only (not the log file's structured fields); there is no default password.
      process.stdout.write(
        `\n  First start: created hub admin "${username}" with the one-time password\n\n      ${password}\n\n` +
          `  Log in and change it (POST /api/auth/password), or set HUB_ADMIN_USERNAME/HUB_ADMIN_PASSWORD.\n\n`,
      );
    } else this.log.log(`created admin "${username}" from HUB_ADMIN_USERNAME/HUB_ADMIN_PASSWORD`);
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ username });
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async list(): Promise<UserInfo[]> {
    return (await this.repo.find({ order: { id: 'ASC' } })).map(userInfo);
  }

  /** A new user; `oneTime`: the password was chosen for them (by an admin), so they must change it at first sign-in. */
  async create(u: CreateUser, oneTime = true): Promise<UserEntity> {
    if (await this.repo.existsBy({ username: u.username }))
      throw new CodedError(409, 'user_exists', `user ${u.username} exists`, { username: u.username });
    const row = this.repo.create({
      username: u.username,
      passwordHash: await hashPassword(u.password),
      role: u.role,
      siteIdsJson: JSON.stringify(u.role === 'admin' ? [] : [...new Set(u.siteIds)].sort()),
      disabled: false,
      mustChangePassword: oneTime,
      failedLogins: 0,
      lockedUntil: null,
      createdAt: Date.now(),
      lastLoginAt: null,
    });
    return this.repo.save(row);
  }

  async update(id: number, u: UpdateUser): Promise<UserEntity> {
    const row = await this.findById(id);
    if (!row) throw new CodedError(404, 'user_not_found', `user ${id} not found`, { id });
    if (u.role) row.role = u.role;
    if (u.siteIds) row.siteIdsJson = JSON.stringify([...new Set(u.siteIds)].sort());
    if (u.disabled !== undefined) row.disabled = u.disabled;
    if (u.password) {
      // An admin's reset is a one-time password: the user chooses their own at next sign-in.
      row.mustChangePassword = true;
      row.passwordHash = await hashPassword(u.password);
      row.failedLogins = 0;
      row.lockedUntil = null;
    }
    return this.repo.save(row);
  }

  /** The user's own choice (POST /api/auth/password): no longer a one-time password. */
  async setPassword(id: number, password: string): Promise<void> {
    await this.repo.update(id, {
      passwordHash: await hashPassword(password),
      failedLogins: 0,
      lockedUntil: null,
      mustChangePassword: false,
    });
  }

  /** Removes a user (its refresh tokens first). The audit log keeps its actions under its username. */
  async remove(id: number): Promise<UserEntity> {
    const row = await this.findById(id);
    if (!row) throw new CodedError(404, 'user_not_found', `user ${id} not found`, { id });
    await this.db.query(`DELETE FROM refresh_tokens WHERE user_id = ${this.db.options.type === 'postgres' ? '$1' : '?'}`, [id]);
    await this.repo.delete(id);
    return row;
  }
}
