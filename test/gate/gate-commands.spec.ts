import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { GateCommandAckSchema, topics, type GateCommand } from '../../libs/contracts/src/index.js';
import { startEdge, type EdgeApp } from '../../edge/src/edge-app.js';
import { GateLanesService } from '../../edge/src/gate/gate-lanes.service.js';
import { EmbeddedBroker } from '../../apps/hub/src/broker/embedded-broker.service.js';
import { GateMqttBridge } from '../../apps/hub/src/gate-control/gate-mqtt.bridge.js';
import type { HubApp } from '../../apps/hub/src/hub-app.js';
import { authedFetch, credentialedEdgeConfig, login } from '../support/hub-auth.js';
import { PrivateMosquitto } from '../support/mosquitto.js';
import { waitFor } from '../support/wait-for.js';
import { HubWatch, laneSite, RelayBoard, startLaneHub } from './gate-rig.js';

// Station lanes check ID numbers: they start only with the hub's ID-number HMAC key.
process.env.CG_ID_HMAC_KEY ??= randomBytes(32).toString('base64');

async function openLane(hubUrl: string, token: string, siteId: string, reason: string) {
  return authedFetch(token)(`${hubUrl}/api/gate-control/open`, { method: 'POST', body: { siteId, gateId: 'g1', laneId: 'l1', reason } });
}

/** The lane states of l1 that name `reason`. */
const refusals = (w: HubWatch, reason: string) => w.laneStates.filter((s) => s.laneId === 'l1' && s.reasons?.includes(reason));

/**
 * Gate commands cannot be replayed or fire late. On the embedded broker: the exact command bytes an
 * operator's open produced, published again, are refused (also after an agent restart, from the
 * persisted ids); a command past its expiry is refused; each refusal shows on the lane's state and
 * releases no relay. Relay pulses come from the real HTTP relay driver.
 */
test(
  'gate commands: a replayed or expired command is refused, says so on the lane, and opens nothing, also after an edge restart',
  { timeout: 90_000 },
  async () => {
    const site = laneSite('station', 1);
    const board = new RelayBoard();
    await board.start();
    const hub: HubApp = await startLaneHub(site, { commandTtlSeconds: 60 });
    let edge: EdgeApp | undefined;
    let watch: HubWatch | undefined;
    try {
      const token = (await login(hub.url)).accessToken;
      watch = await HubWatch.open(hub.url, token, site.siteId);
      const cfg = await credentialedEdgeConfig(
        hub.url,
        site.edgeConfig(`mqtt://127.0.0.1:${hub.mqttPort}`, { g1: [{ id: 'l1', actuator: 'door1', timeouts: { resultMs: 200 } }] }, [
          board.actuator('door1', { pulseMs: 200 }),
        ]),
      );
      const linkUp = () =>
        waitFor(() => edge!.ctx.get(GateLanesService).listensForCommands('g1'), Boolean, 10_000, 'gate subscribed to its commands');
      edge = await startEdge(cfg, false);
      await linkUp();

      // Every command on the gate's topic, as the broker carries it.
      const aedes = hub.app.get(EmbeddedBroker).instance!;
      const wire: Buffer[] = [];
      await new Promise<void>((r) =>
        aedes.subscribe(topics.gateCommands(site.siteId, 'g1'), (p, cb) => (wire.push(Buffer.from(p.payload)), cb()), r),
      );
      const replay = (payload: Buffer) =>
        new Promise<void>((resolve, reject) =>
          aedes.publish(
            { cmd: 'publish', topic: topics.gateCommands(site.siteId, 'g1'), payload, qos: 1, retain: false, dup: false },
            (e?: Error) => (e ? reject(e) : resolve()),
          ),
        );

      assert.equal((await openLane(hub.url, token, site.siteId, 'kiểm tra cổng')).status, 202);
      await waitFor(
        () => board.pulses,
        (n) => n === 1,
        10_000,
        'first operator open pulses the relay',
      );
      const res = await openLane(hub.url, token, site.siteId, 'khách quên vé');
      assert.equal(res.status, 202);
      const ack = GateCommandAckSchema.parse(await res.json());
      assert.ok(Date.parse(ack.expiresAt) - Date.now() > 50_000, 'expires after the configured 60 s');
      await waitFor(
        () => board.pulses,
        (n) => n === 2,
        10_000,
        'second open pulses the relay',
      );
      const sent = wire.find((p) => (JSON.parse(p.toString()) as GateCommand).commandId === ack.commandId)!;
      assert.ok(sent, 'the command seen on the wire');
      assert.equal((JSON.parse(sent.toString()) as GateCommand).expiresAt, ack.expiresAt);

      // 1. The same bytes again (a replay, or a broker redelivery): refused, said on the lane, no pulse.
      await replay(sent);
      await waitFor(
        () => refusals(watch!, 'command_replayed'),
        (r) => r.length === 1,
        10_000,
        'command_replayed on the lane',
      );

      // 2. A command whose expiry has passed (queued somewhere while the broker was down): refused.
      const stale: GateCommand = {
        type: 'open_gate',
        commandId: randomUUID(),
        siteId: site.siteId,
        gateId: 'g1',
        laneId: 'l1',
        reason: 'trễ',
        issuedAt: new Date(Date.now() - 20_000).toISOString(),
        expiresAt: new Date(Date.now() - 10_000).toISOString(),
        issuedBy: 'admin',
      };
      await hub.app.get(GateMqttBridge).publish(stale, 5000);
      await waitFor(
        () => refusals(watch!, 'command_expired'),
        (r) => r.length === 1,
        10_000,
        'command_expired on the lane',
      );

      // 3. A command claiming a lifetime longer than any hub issues: refused.
      const forever: GateCommand = {
        ...stale,
        commandId: randomUUID(),
        issuedAt: new Date().toISOString(),
        expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      };
      await hub.app.get(GateMqttBridge).publish(forever, 5000);
      await waitFor(
        () => refusals(watch!, 'command_lifetime_too_long'),
        (r) => r.length === 1,
        10_000,
        'command_lifetime_too_long on the lane',
      );
      assert.equal(board.pulses, 2, 'no refused command released the relay');

      // 4. The agent restarts (power cut): the seen ids survive, the replay is still refused.
      await edge.close();
      edge = await startEdge(cfg, false);
      await linkUp();
      const before = refusals(watch, 'command_replayed').length;
      await waitFor(
        async () => {
          await replay(sent);
          return refusals(watch!, 'command_replayed').length;
        },
        (n) => n > before,
        15_000,
        'replay refused after the restart',
      );
      // A fresh command still opens: the refusals were the guard's, not a deaf edge.
      const fresh = await openLane(hub.url, token, site.siteId, 'xe cứu thương');
      assert.equal(fresh.status, 202);
      await waitFor(
        () => board.pulses,
        (n) => n === 3,
        10_000,
        'fresh open after the restart',
      );
      assert.equal(board.pulses, 3);
    } finally {
      watch?.close();
      await edge?.close();
      await hub.close();
      await board.stop();
    }
  },
);

/**
 * With an external broker that stops acknowledging (Mosquitto frozen with SIGSTOP), the hub answers
 * the operator 503 once the command's lifetime is over instead of hanging, and when the broker comes
 * back and delivers it anyway, the edge refuses it as expired: the lane does not open late. With the
 * broker gone, the answer is 503 at once and nothing is queued.
 */
test(
  'gate commands over Mosquitto: a command the broker does not take in time answers 503 and never opens the lane later',
  { timeout: 90_000 },
  async () => {
    const site = laneSite('station', 1);
    const board = new RelayBoard();
    await board.start();
    const mosq = new PrivateMosquitto({ anonymous: true }); // about delivery timing, not broker security
    await mosq.start();
    const TTL_S = 3;
    const hub: HubApp = await startLaneHub(site, { mqttUrl: mosq.url, commandTtlSeconds: TTL_S, instanceId: `cmd-${Date.now()}` });
    let edge: EdgeApp | undefined;
    let watch: HubWatch | undefined;
    try {
      const token = (await login(hub.url)).accessToken;
      watch = await HubWatch.open(hub.url, token, site.siteId);
      edge = await startEdge(
        site.edgeConfig(mosq.url, { g1: [{ id: 'l1', actuator: 'door1', timeouts: { resultMs: 200 } }] }, [
          board.actuator('door1', { pulseMs: 200 }),
        ]),
        false,
      );
      const listening = (up: boolean) =>
        waitFor(
          () => edge!.ctx.get(GateLanesService).listensForCommands('g1'),
          (l) => l === up,
          15_000,
          `gate command subscription ${up ? 'up' : 'down'}`,
        );
      await listening(true);
      assert.equal((await openLane(hub.url, token, site.siteId, 'kiểm tra cổng')).status, 202);
      await waitFor(
        () => board.pulses,
        (n) => n === 1,
        10_000,
        'first operator open pulses the relay',
      );

      mosq.pause();
      const t0 = Date.now();
      const late = await openLane(hub.url, token, site.siteId, 'mở khi broker treo');
      const waited = Date.now() - t0;
      assert.equal(late.status, 503, await late.text());
      assert.ok(waited >= TTL_S * 1000 - 200 && waited < TTL_S * 1000 + 3000, `answered after ${waited} ms`);
      // The broker comes back and hands the expired command to the gate: refused there.
      mosq.resume();
      await waitFor(
        () => refusals(watch!, 'command_expired'),
        (r) => r.length === 1,
        15_000,
        'the late command refused as expired',
      );
      assert.equal(board.pulses, 1, 'the late command did not open the lane');

      // Broker gone: 503 at once, nothing queued for its return.
      await mosq.stop();
      await listening(false);
      const t1 = Date.now();
      const down = await openLane(hub.url, token, site.siteId, 'mở khi mất broker');
      assert.equal(down.status, 503);
      assert.ok(Date.now() - t1 < 2000, 'answered at once');
      await mosq.start();
      await listening(true);
      // The hub's own command connection reconnects on its own schedule: the first opens may answer 503.
      await waitFor(
        async () => (await openLane(hub.url, token, site.siteId, 'mở lại')).status,
        (st) => st === 202,
        15_000,
        'hub takes commands again',
      );
      await waitFor(
        () => board.pulses,
        (n) => n === 2,
        10_000,
        'a fresh open after the outage',
      );
      assert.equal(board.pulses, 2, 'exactly the fresh command opened; nothing queued during the outage fired');
    } finally {
      watch?.close();
      await edge?.close();
      await hub.close();
      await mosq.stop();
      await board.stop();
    }
  },
);
