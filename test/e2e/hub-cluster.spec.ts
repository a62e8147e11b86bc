import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { SocketEvents, type CountsPayload } from '../../libs/contracts/src/index.js';
import { startEdge } from '../../edge/src/edge-app.js';
import { TrafficSimulator } from '../../edge/src/simulator/traffic-simulator.js';
import { authedFetch, authedJson, login } from '../support/hub-auth.js';
import { startHubCluster } from '../support/hub-cluster.js';
import type { HubProcess } from '../support/hub-process.js';
import { waitFor } from '../support/wait-for.js';

const TOTAL = 6000;

const counter = async (hub: HubProcess, name: string): Promise<number> => {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(await (await fetch(`${hub.url}/metrics`)).text());
  return Number(m?.[1] ?? NaN);
};
const storedBy = async (hub: HubProcess): Promise<number> => {
  const m = /cg_ingest_events_total\{result="stored"\} (\d+)/.exec(await (await fetch(`${hub.url}/metrics`)).text());
  return Number(m?.[1] ?? 0);
};

test(
  'two hub instances (PostgreSQL + Redis + Mosquitto): one wall on B sees what A ingests with the same totals, a token revoked on A is refused on B, A killed mid-stream loses and double-counts nothing',
  { timeout: 240_000 },
  async () => {
    const { site, db, broker, a, b, close } = await startHubCluster('cl');
    let socket: Socket | null = null;
    let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
    try {
      // A session opened and then revoked on A: its access token works on B until then, never after.
      const session = await login(a.url);
      assert.equal((await authedFetch(session.accessToken)(`${b.url}/api/sites`)).status, 200);
      const out = await fetch(`${a.url}/api/auth/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: session.refreshToken }),
      });
      assert.ok(out.status < 300, `logout on A: ${out.status}`);
      assert.equal((await authedFetch(session.accessToken)(`${b.url}/api/sites`)).status, 401, 'revoked on A → refused on B');
      assert.equal((await authedFetch(session.accessToken)(`${a.url}/api/sites`)).status, 401);

      // A wall connected to B only.
      const { accessToken } = await login(b.url);
      const updates: CountsPayload[] = [];
      socket = io(b.url, { transports: ['websocket'], auth: { token: accessToken } });
      socket.on(SocketEvents.countsUpdate, (p: CountsPayload) => updates.push(p));
      let tickerMessages = 0;
      socket.on(SocketEvents.eventsNew, () => tickerMessages++);
      await new Promise<void>((r) => socket!.once('connect', () => r()));
      const ack = (await socket.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds: [site.siteId] })) as { ok: boolean };
      assert.equal(ack.ok, true);

      edge = await startEdge(site.edgeConfig(broker.url), false);
      const sim = new TrafficSimulator(site.edgeConfig(broker.url), edge.outbox, { rate: 1500, limit: TOTAL });
      sim.start();
      // Both instances take their share of the shared subscription; then A dies without warning.
      await waitFor(
        () => storedBy(a),
        (n) => n >= 300,
        30_000,
        'A storing events',
      );
      await waitFor(
        () => storedBy(b),
        (n) => n >= 300,
        30_000,
        'B storing events',
      );
      const aBeforeKill = await storedBy(a);
      await a.kill();
      await waitFor(
        () => sim.produced,
        (n) => n >= TOTAL * 0.75,
        30_000,
        'gates keep publishing while A is down',
      );
      await a.start();

      await waitFor(() => sim.done, Boolean, 60_000, 'simulator finished');
      await waitFor(
        () => edge!.outbox.depth(),
        (d) => d === 0,
        60_000,
        'edge outbox drained',
      );
      const getA = authedJson((await login(a.url)).accessToken);
      const getB = authedJson(accessToken);
      const total = (c: CountsPayload) => c.site.entries + c.site.exits;
      await waitFor(
        async () => total(await getB<CountsPayload>(`${b.url}/api/counts/today?siteId=${site.siteId}`)),
        (n) => n >= TOTAL,
        90_000,
        'every event counted',
      );
      // The wall on B converges on the same totals, including what A stored before it was killed.
      const lastPush = await waitFor(
        async () => updates[updates.length - 1],
        (u) => u !== undefined && total(u) === TOTAL,
        10_000,
        'the wall on B shows every event',
      );
      const viaA = await getA<CountsPayload>(`${a.url}/api/counts/today?siteId=${site.siteId}`);
      const viaB = await getB<CountsPayload>(`${b.url}/api/counts/today?siteId=${site.siteId}`);
      assert.deepEqual(viaA.site, viaB.site, 'both instances report the same totals');
      assert.deepEqual(lastPush.site, viaB.site);
      assert.deepEqual(lastPush.gates, viaB.gates);
      assert.ok(aBeforeKill > 0, "A stored events that B's wall counted");
      // B's socket got more ticker messages than B itself sent: A's reached it (Redis adapter). Counted
      // in messages, not events: a message samples the newest 50 of a batch, and batch sizes follow the
      // machine's speed. A sent at least one (it stored events while the socket was subscribed).
      const bStored = await storedBy(b);
      assert.ok(bStored < TOTAL, `B stored ${bStored}`);
      const bPushed = await counter(b, 'cg_ticker_pushes_total');
      await waitFor(
        () => tickerMessages,
        (n) => n > bPushed,
        10_000,
        `more ticker messages on B's socket than B's own ${bPushed}`,
      );

      // Exactly the events produced, each once.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        const rows = await c.query<{ n: string; d: string }>(
          'SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS d FROM gate_events WHERE site_id = $1',
          [site.siteId],
        );
        assert.equal(Number(rows.rows[0]!.n), TOTAL);
        assert.equal(Number(rows.rows[0]!.d), TOTAL);
        const minutes = await c.query<{ n: string }>('SELECT SUM(entries + exits) AS n FROM count_minutes WHERE site_id = $1', [
          site.siteId,
        ]);
        assert.equal(Number(minutes.rows[0]!.n), TOTAL, 'minute counts hold each event once');
      } finally {
        await c.end();
      }
    } finally {
      socket?.close();
      await edge?.close();
      await close();
    }
  },
);
