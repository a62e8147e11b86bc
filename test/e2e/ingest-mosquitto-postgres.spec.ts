import { test } from 'node:test';
import { createTestDatabase } from '../support/postgres.js';
import { runIngestScenario } from './ingest-scenario.js';

const MOSQUITTO = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

test('edge → Mosquitto (127.0.0.1:1883) → hub on PostgreSQL: same guarantees', { timeout: 120_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await runIngestScenario({ mqttUrl: MOSQUITTO, databaseUrl: pg.url });
  } finally {
    await pg.drop();
  }
});

test(
  'edge → Mosquitto with a shared subscription over 3 connections → SQLite, and embedded → PostgreSQL, also agree',
  { timeout: 120_000 },
  async () => {
    await runIngestScenario({ mqttUrl: MOSQUITTO, ingestClients: 3, ingestShared: true });
    const pg = await createTestDatabase();
    try {
      await runIngestScenario({ databaseUrl: pg.url });
    } finally {
      await pg.drop();
    }
  },
);
