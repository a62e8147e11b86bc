import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { gateMqttName, type GateCredentialInfo, type GateCredentialIssued } from '../../../../libs/contracts/src/index.js';
import { MqttCredentialEntity } from '../database/entities/index.js';
import type { MqttIdentity } from './mqtt-acl.js';
import { bcryptHash } from './bcrypt.js';
import { mosquittoHash, verifyMosquittoHash } from './mosquitto-hash.js';

const newPassword = () => randomBytes(32).toString('base64url');

const info = (c: MqttCredentialEntity): GateCredentialInfo => ({
  username: c.username,
  siteId: c.siteId!,
  gateId: c.gateId!,
  createdAt: new Date(c.createdAt).toISOString(),
});

/**
 * MQTT credentials in the hub database; plain class so the CLI commands use it without the app.
 * Issuing again for the same gate replaces the password (rotation); the old one stops working.
 */
export class MqttCredentialStore {
  constructor(private readonly db: DataSource) {}

  private get repo() {
    return this.db.getRepository(MqttCredentialEntity);
  }

  async issueGate(siteId: string, gateId: string): Promise<GateCredentialIssued> {
    const password = newPassword();
    const row = this.repo.create({
      username: gateMqttName(siteId, gateId),
      kind: 'gate',
      siteId,
      gateId,
      passwordHash: await mosquittoHash(password),
      natsPasswordHash: bcryptHash(password),
      createdAt: Date.now(),
    });
    await this.repo.save(row);
    return { ...info(row), password };
  }

  /** The hub's own login for an external broker; a new password each call. */
  async issueHub(username: string): Promise<{ username: string; password: string }> {
    const password = newPassword();
    await this.repo.save(
      this.repo.create({
        username,
        kind: 'hub',
        siteId: null,
        gateId: null,
        passwordHash: await mosquittoHash(password),
        natsPasswordHash: bcryptHash(password),
        createdAt: Date.now(),
      }),
    );
    return { username, password };
  }

  async revokeGate(siteId: string, gateId: string): Promise<boolean> {
    return ((await this.repo.delete({ username: gateMqttName(siteId, gateId) })).affected ?? 0) > 0;
  }

  async listGates(): Promise<GateCredentialInfo[]> {
    return (await this.repo.find({ where: { kind: 'gate' }, order: { username: 'ASC' } })).map(info);
  }

  all(): Promise<MqttCredentialEntity[]> {
    return this.repo.find({ order: { username: 'ASC' } });
  }

  async verify(username: string, password: string): Promise<MqttIdentity | null> {
    const row = await this.repo.findOneBy({ username });
    if (!row || !(await verifyMosquittoHash(row.passwordHash, password))) return null;
    return identityOf(row);
  }
}

export const identityOf = (row: MqttCredentialEntity): MqttIdentity =>
  row.kind === 'hub' ? { kind: 'hub' } : { kind: 'gate', siteId: row.siteId!, gateId: row.gateId! };
