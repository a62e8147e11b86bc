import { join } from 'node:path';
import { TEST_ADMIN_ENV } from './hub-auth.js';
import { HubProcess } from './hub-process.js';
import { PrivateMosquitto } from './mosquitto.js';
import { createTestDatabase } from './postgres.js';
import { testSite } from './test-site.js';

export const CLUSTER_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface HubCluster {
  site: ReturnType<typeof testSite>;
  db: { url: string };
  broker: PrivateMosquitto;
  a: HubProcess;
  b: HubProcess;
  /** Stops both hubs and the broker and drops the database (also after a failed start). */
  close(): Promise<void>;
}

/**
 * Two hub processes, A and B, as deployed several times over (deploy/compose.yaml): one PostgreSQL
 * database, one Redis, one private Mosquitto, a shared ingest subscription, the same JWT secret and
 * data keys, a distinct instance id each. Both are started and healthy when this resolves.
 */
export async function startHubCluster(prefix: string): Promise<HubCluster> {
  const site = testSite(prefix);
  const db = await createTestDatabase();
  const broker = new PrivateMosquitto({ anonymous: true }); // not a broker-security test: the hubs connect without a login
  const env = (id: string) => ({
    DATABASE_URL: db.url,
    REDIS_URL: CLUSTER_REDIS_URL,
    MQTT_URL: broker.url,
    HUB_INGEST_SHARED: 'true',
    HUB_INGEST_GROUP: `g${site.siteId.replace(/[^A-Za-z0-9]/g, '').slice(-20)}`,
    HUB_INSTANCE_ID: `${id}-${site.siteId}`,
    HUB_SITES_FILE: site.sitesFile,
    HUB_JWT_SECRET: 'cluster-test-secret-shared-by-both-instances',
    HUB_DATA_KEY_FILE: join(site.dir, 'hub-data-keys.json'),
    LOG_LEVEL: 'warn',
    ...TEST_ADMIN_ENV,
  });
  let a: HubProcess | undefined;
  let b: HubProcess | undefined;
  const close = async () => {
    await a?.stop();
    await b?.stop();
    await broker.stop();
    await db.drop();
  };
  try {
    await broker.start(); // before env(): the hubs need its port
    a = new HubProcess(env('a'));
    b = new HubProcess(env('b'));
    await a.start();
    await b.start();
  } catch (e) {
    await close();
    throw e;
  }
  return { site, db, broker, a, b, close };
}
