import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { startEdge } from '../edge-app.js';
import { TrafficSimulator } from '../simulator/traffic-simulator.js';
import { testSite } from '../../../test/support/test-site.js';
import { EdgeJsonLogger } from './edge-json-logger.js';

test(
  'edge LOG_FORMAT=json: every line a JSON object with service, agent and site; a queued event logged with its event id (debug); errors with their context',
  { timeout: 30_000 },
  async () => {
    const site = testSite('elog');
    const cfg = site.edgeConfig('mqtt://127.0.0.1:1'); // no broker: the event waits in the outbox
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(...String(chunk).split('\n').filter(Boolean)), cb()) });
    const logger = new EdgeJsonLogger(cfg, { level: 'debug', destination: sink });
    const edge = await startEdge(cfg, logger, { shutdownHooks: false });
    const event = new TrafficSimulator(cfg, edge.outbox, { rate: 1 }).makeEvent();
    const eventId = event.eventId;
    try {
      edge.outbox.enqueue(event);
      logger.error(new Error('boom'), 'Test');
    } finally {
      await edge.close();
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(parsed.length > 2);
    for (const p of parsed) {
      assert.equal(p.service, 'cong-ai-edge');
      assert.equal(p.agent, cfg.agent.id);
      assert.equal(p.site, cfg.site.id);
      assert.equal(typeof p.level, 'number');
    }
    const queued = parsed.find((p) => p.eventId === eventId);
    assert.ok(queued, 'the queued event is logged with its id');
    assert.equal(queued.msg, 'event queued');
    assert.equal(queued.context, 'Outbox');
    assert.equal(queued.gateId, event.gateId);
    const err = parsed.find((p) => p.msg === 'boom');
    assert.ok(
      err && err.context === 'Test' && (err.err as { stack: string }).stack.includes('boom'),
      'an error keeps its stack and context',
    );
  },
);
