import { test } from 'node:test';
import { runIngestScenario } from './ingest-scenario.js';

test(
  'edge → embedded aedes → hub on SQLite: stored once, counted exactly, bad messages dead-lettered, pushed live',
  { timeout: 90_000 },
  async () => {
    await runIngestScenario({});
  },
);
