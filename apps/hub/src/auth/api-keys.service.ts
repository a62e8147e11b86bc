import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import type { ApiKeyCreated, ApiKeyInfo, CreateApiKey } from '../../../../libs/contracts/src/index.js';
import { ApiKeyEntity } from '../database/entities/index.js';
import type { Principal } from './principal.js';

/** IOC wall keys look like `cgk_<43 chars>`; 256 random bits, so a fast hash is enough to store them. */
const PREFIX = 'cgk_';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const looksLikeApiKey = (s: string) => s.startsWith(PREFIX);

const info = (k: ApiKeyEntity): ApiKeyInfo => ({
  id: k.id,
  name: k.name,
  siteIds: JSON.parse(k.siteIdsJson) as string[],
  createdAt: new Date(k.createdAt).toISOString(),
  revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
  lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : null,
});

@Injectable()
export class ApiKeysService {
  constructor(private readonly db: DataSource) {}

  private get repo() {
    return this.db.getRepository(ApiKeyEntity);
  }

  async create(k: CreateApiKey): Promise<ApiKeyCreated> {
    const key = PREFIX + randomBytes(32).toString('base64url');
    const row = await this.repo.save(
      this.repo.create({
        name: k.name,
        keyHash: sha256(key),
        siteIdsJson: JSON.stringify([...new Set(k.siteIds)].sort()),
        createdAt: Date.now(),
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
    return { ...info(row), key };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.repo.find({ order: { id: 'ASC' } })).map(info);
  }

  async revoke(id: number): Promise<ApiKeyInfo> {
    const row = await this.repo.findOneBy({ id });
    if (!row) throw new NotFoundException(`API key ${id} not found`);
    row.revokedAt ??= Date.now();
    return info(await this.repo.save(row));
  }

  /** The ioc principal of a live key, or null. */
  async authenticate(key: string): Promise<Principal | null> {
    if (!looksLikeApiKey(key) || key.length > 100) return null;
    const row = await this.repo.findOneBy({ keyHash: sha256(key), revokedAt: IsNull() });
    if (!row) return null;
    // At most one write a minute per key: "last used" is for the admin list, not an audit trail.
    const now = Date.now();
    if (!row.lastUsedAt || now - row.lastUsedAt > 60_000) await this.repo.update(row.id, { lastUsedAt: now });
    return { kind: 'apiKey', id: row.id, name: row.name, role: 'ioc', siteIds: JSON.parse(row.siteIdsJson) as string[] };
  }
}
