import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { gateMqttClientId, type GateCredentialIssued, type PersonEraseResult } from '../../../../libs/contracts/src/index.js';
import { attachMediaResponder, type MediaLog } from '../../../../edge/src/camera/media-responder.js';
import { EncryptedMediaStore } from '../../../../edge/src/camera/media-store.js';
import { newEventId } from '../../../../edge/src/outbox/event-id.js';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub, type HubApp } from '../hub-app.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { GateEventEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';

const OVERRIDES = { cropTimeoutMs: 1500, edgeEraseRetryS: 0.3, edgeEraseWaitMs: 3000 };
const PERSON = '001099012345';

/** A JPEG-looking body with bytes of its own (the test looks for them in the hub's files). */
const fakeJpeg = (tag: string) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    Buffer.from(`crop-of-${tag}-${'x'.repeat(64)}-${Math.random()}`),
    Buffer.from([0xff, 0xd9]),
  ]);

/** A gate's edge side: its own MQTT login on the hub's broker and the edge's real crop responder. */
async function edgeGate(
  hub: HubApp,
  siteId: string,
  gateId: string,
  cred: GateCredentialIssued,
  store: EncryptedMediaStore,
  log: MediaLog = () => undefined,
): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, {
    clientId: gateMqttClientId(siteId, gateId),
    username: cred.username,
    password: cred.password,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  // Ready once the responder's subscription is in place.
  await new Promise<void>((resolve, reject) => {
    attachMediaResponder(client, siteId, gateId, store, log, resolve);
    client.once('error', reject);
  });
  return client;
}

async function addEvent(
  db: DataSource,
  siteId: string,
  gateId: string,
  attachments: unknown,
  idNumberHmac: string | null = null,
): Promise<string> {
  const eventId = newEventId();
  await db.getRepository(GateEventEntity).insert({
    eventId,
    siteId,
    zoneId: 'sanh',
    gateId,
    laneId: null,
    direction: 'entry',
    source: 'camera',
    occurredAt: Date.now(),
    receivedAt: Date.now(),
    trackId: null,
    identityJson: null,
    idNumberHmac,
    attachmentsJson: attachments ? JSON.stringify(attachments) : null,
  } as GateEventEntity);
  return eventId;
}

test(
  'event face crops: fetched from the edge for operator/security/admin of the site only, every access and refusal audited, nothing stored on the hub, 404 when purged, 504 when the edge is offline; person-erase reaches the edges durably',
  { timeout: 120_000 },
  async () => {
    const started = await startTwoSiteHub(OVERRIDES);
    let hub = started.hub;
    const { siteA, siteB, dir } = started;
    const clients: MqttClient[] = [];
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      const mk = async (username: string, role: string, siteIds: string[]) => {
        assert.equal(
          (
            await admin(`${hub.url}/api/users`, {
              method: 'POST',
              body: { mustChangePassword: false, username, password: 'a-long-password-1', role, siteIds },
            })
          ).status,
          201,
        );
        return (await login(hub.url, username, 'a-long-password-1')).accessToken;
      };
      const who: Record<string, string> = {
        admin: adminToken,
        operator: await mk('op-a', 'operator', [siteA]),
        security: await mk('sec-a', 'security', [siteA]),
        manager: await mk('mgr-a', 'manager', [siteA]),
        operatorOfB: await mk('op-b', 'operator', [siteB]),
        securityOfB: await mk('sec-b', 'security', [siteB]),
      };
      who.ioc = (
        (await (await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'wall A', siteIds: [siteA] } })).json()) as {
          key: string;
        }
      ).key;

      const creds = await issueGateCredentials(hub.url, adminToken, siteA, ['g1', 'g2']);
      const store = new EncryptedMediaStore(mkdtempSync(join(tmpdir(), 'cg-edge-media-')), Buffer.alloc(32, 7));
      // What the edge's responder logs (the edge's JSON logs keep these fields).
      const edgeLog: { line: Parameters<MediaLog>[0]; level: string }[] = [];
      const g1 = await edgeGate(hub, siteA, 'g1', creds.get('g1')!, store, (line, level = 'warn') => edgeLog.push({ line, level }));
      clients.push(g1);
      const db = hub.app.get(DataSource);

      // An event whose crop the edge of site A / g1 keeps (encrypted).
      const e1 = newEventId();
      const jpeg = fakeJpeg('e1');
      const saved = await store.save('face_crop', `cam1-${e1}`, jpeg);
      await db.getRepository(GateEventEntity).insert({
        eventId: e1,
        siteId: siteA,
        zoneId: 'sanh',
        gateId: 'g1',
        laneId: null,
        direction: 'entry',
        source: 'camera',
        occurredAt: Date.now(),
        receivedAt: Date.now(),
        trackId: null,
        identityJson: null,
        idNumberHmac: null,
        attachmentsJson: JSON.stringify([{ kind: 'face_crop', ref: saved.ref, sha256: saved.sha256 }]),
      } as GateEventEntity);
      const get = (cred: string, eventId = e1) => authedFetch(cred)(`${hub.url}/api/events/${eventId}/crop`);

      // Every role: the people at the gates and security of site A (and admin) see it; nobody else.
      const want: Record<string, number> = {
        admin: 200,
        operator: 200,
        security: 200,
        manager: 403,
        ioc: 403,
        operatorOfB: 403,
        securityOfB: 403,
      };
      for (const [role, status] of Object.entries(want)) {
        const res = await get(who[role]!);
        assert.equal(res.status, status, role);
        if (status === 200) {
          assert.equal(res.headers.get('content-type'), 'image/jpeg');
          assert.match(res.headers.get('cache-control') ?? '', /no-store/);
          assert.deepEqual(Buffer.from(await res.arrayBuffer()), jpeg, `${role} gets the edge's crop`);
        } else await res.arrayBuffer();
      }
      assert.equal((await fetch(`${hub.url}/api/events/${e1}/crop`)).status, 401, 'no credential');
      // The edge logged each crop it served with the hub's request id and the event's id (three served, each its own request).
      const served = edgeLog.flatMap((l) =>
        typeof l.line === 'object' && l.line.eventId === e1 ? [{ ...l.line, level: l.level } as Record<string, unknown>] : [],
      );
      assert.equal(served.length, 3, JSON.stringify(edgeLog));
      for (const l of served)
        assert.ok(l.level === 'debug' && l.gateId === 'g1' && /crop_get answered: ok/.test(String(l.msg)), JSON.stringify(l));
      assert.equal(new Set(served.map((l) => l.requestId)).size, 3, 'a request id per request');

      // Audited: every access and every refusal, with who and what happened.
      const audit = async () =>
        (await (await admin(`${hub.url}/api/audit?action=event.crop&limit=100`)).json()) as {
          actor: string;
          subjectId: string;
          detail: { result: string };
        }[];
      const rows = (await audit()).filter((r) => r.subjectId === e1);
      const results = rows.map((r) => `${r.actor}:${r.detail.result}`).sort();
      assert.deepEqual(
        results,
        [
          'admin:served',
          'apikey:wall A:refused_role',
          'mgr-a:refused_role',
          'op-a:served',
          'op-b:refused_site',
          'sec-a:served',
          'sec-b:refused_site',
        ].sort(),
      );

      // Nothing of the crop was stored on the hub: not in its database files, not anywhere in its directory.
      for (const f of readdirSync(dir)) {
        const body = readFileSync(join(dir, f));
        assert.ok(
          !body.includes(jpeg.subarray(4, 40)) && !body.includes(Buffer.from(jpeg.toString('base64').slice(8, 48))),
          `no crop bytes in ${f}`,
        );
      }

      // Purged on the edge (retention) → 404; a crop whose bytes do not match the event's hash → 502.
      const e2 = newEventId();
      const saved2 = await store.save('face_crop', `cam1-${e2}`, fakeJpeg('e2'));
      await db.getRepository(GateEventEntity).insert({
        eventId: e2,
        siteId: siteA,
        zoneId: 'sanh',
        gateId: 'g1',
        laneId: null,
        direction: 'entry',
        source: 'camera',
        occurredAt: Date.now(),
        receivedAt: Date.now(),
        trackId: null,
        identityJson: null,
        idNumberHmac: null,
        attachmentsJson: JSON.stringify([{ kind: 'face_crop', ref: saved2.ref, sha256: saved.sha256 }]),
      } as GateEventEntity);
      assert.equal((await get(who.security!, e2)).status, 502, 'hash mismatch');
      assert.ok(await store.remove(saved2.ref));
      assert.equal((await get(who.security!, e2)).status, 404, 'purged on the edge');
      // An event without a crop, and an unknown event.
      assert.equal((await get(who.security!, await addEvent(db, siteA, 'g1', null))).status, 404);
      assert.equal((await get(who.security!, newEventId())).status, 404);
      assert.equal((await get(who.security!, 'not-an-id')).status, 400);
      // The edge of g2 is offline: a clear 504 after the timeout, not a hang.
      // An event that names no hash for its crop: not served, whatever the edge holds (it could be any image).
      const e4 = newEventId();
      const saved4 = await store.save('face_crop', `cam1-${e4}`, fakeJpeg('e4'));
      await db.getRepository(GateEventEntity).insert({
        eventId: e4,
        siteId: siteA,
        zoneId: 'sanh',
        gateId: 'g1',
        laneId: null,
        direction: 'entry',
        source: 'camera',
        occurredAt: Date.now(),
        receivedAt: Date.now(),
        trackId: null,
        identityJson: null,
        idNumberHmac: null,
        attachmentsJson: JSON.stringify([{ kind: 'face_crop', ref: saved4.ref }]),
      } as GateEventEntity);
      const unverifiable = await get(who.security!, e4);
      assert.equal(unverifiable.status, 502);
      assert.match(((await unverifiable.json()) as { message: string }).message, /names no hash/);
      const e3 = await addEvent(db, siteA, 'g2', [{ kind: 'face_crop', ref: `media:face_crop/cam2-x.jpg`, sha256: 'a'.repeat(64) }]);
      const t0 = Date.now();
      const offline = await get(who.operator!, e3);
      assert.equal(offline.status, 504);
      assert.match(((await offline.json()) as { message: string }).message, /did not answer/);
      assert.ok(Date.now() - t0 < 5000);
      const results2 = (await audit()).map((r) => r.detail.result);
      for (const r of ['purged', 'hash_mismatch', 'unverifiable', 'no_crop', 'no_event', 'bad_request', 'edge_timeout'])
        assert.ok(results2.includes(r), `audited: ${r}`);

      // Person-erase: the person's events on g1 (edge online) and g2 (edge offline) have crops on those edges.
      const hmac = hub.app.get(DataCipher).idHmac(PERSON);
      const p1 = newEventId();
      const p2 = newEventId();
      const c1 = await store.save('face_crop', `cam1-${p1}`, fakeJpeg('p1'));
      const g2store = new EncryptedMediaStore(mkdtempSync(join(tmpdir(), 'cg-edge-media-')), Buffer.alloc(32, 9));
      const c2 = await g2store.save('face_crop', `cam2-${p2}`, fakeJpeg('p2'));
      for (const [eventId, gateId, c] of [
        [p1, 'g1', c1],
        [p2, 'g2', c2],
      ] as const)
        await db.getRepository(GateEventEntity).insert({
          eventId,
          siteId: siteA,
          zoneId: 'sanh',
          gateId,
          laneId: null,
          direction: 'entry',
          source: 'camera',
          occurredAt: Date.now(),
          receivedAt: Date.now(),
          trackId: null,
          identityJson: null,
          idNumberHmac: hmac,
          attachmentsJson: JSON.stringify([{ kind: 'face_crop', ref: c.ref, sha256: c.sha256 }]),
        } as GateEventEntity);
      const pathOf = (s: EncryptedMediaStore, ref: string) => (s as unknown as { path(r: string): string }).path(ref);
      assert.ok(existsSync(pathOf(store, c1.ref)) && existsSync(pathOf(g2store, c2.ref)));

      const er = await admin(`${hub.url}/api/privacy/person-erase`, { method: 'POST', body: { idNumber: PERSON } });
      assert.equal(er.status, 200);
      const result = (await er.json()) as PersonEraseResult;
      assert.equal(result.edgeCrops, 2);
      assert.deepEqual(result.edges, [
        { siteId: siteA, gateId: 'g1', crops: 1, confirmed: true },
        { siteId: siteA, gateId: 'g2', crops: 1, confirmed: false },
      ]);
      assert.ok(!existsSync(pathOf(store, c1.ref)), "g1's edge deleted the crop");
      assert.ok(existsSync(pathOf(g2store, c2.ref)), "g2's edge is offline: its crop is still there");

      // The hub restarts before g2 comes back: the order survives and reaches g2 when it connects.
      await hub.close();
      clients.length = 0;
      g1.end(true);
      hub = await startHub(
        hubConfigFromEnv(
          {},
          {
            port: 0,
            embeddedMqttPort: 0,
            embeddedMqttHost: '127.0.0.1',
            sitesFile: join(dir, 'sites.yaml'),
            sqlitePath: join(dir, 'hub.db'),
            jwtSecretFile: join(dir, 'jwt.key'),
            ...TEST_ADMIN_CONFIG,
            ...OVERRIDES,
          },
        ),
        false,
      );
      clients.push(await edgeGate(hub, siteA, 'g2', creds.get('g2')!, g2store));
      await waitFor(
        () => existsSync(pathOf(g2store, c2.ref)),
        (present) => !present,
        10_000,
        "g2's edge deletes the crop after the restart",
      );
      const admin2 = authedFetch((await login(hub.url)).accessToken);
      const confirmed = await waitFor(
        async () =>
          (await (await admin2(`${hub.url}/api/audit?action=person.erase_edge_confirmed&limit=10`)).json()) as {
            subjectId: string;
            siteId: string;
            detail: { gateId: string; deleted: number };
          }[],
        (r) => r.filter((x) => x.subjectId === hmac).length === 2,
        10_000,
        'both edges confirmed in the audit log',
      );
      assert.deepEqual(
        confirmed
          .filter((x) => x.subjectId === hmac)
          .map((x) => [x.siteId, x.detail.gateId, x.detail.deleted])
          .sort(),
        [
          [siteA, 'g1', 1],
          [siteA, 'g2', 1],
        ],
      );
      // Acknowledged orders are no longer sent and keep no crop references.
      const orders: { acked_at: number | null; refs: string }[] = await hub.app
        .get(DataSource)
        .query(`SELECT acked_at, refs FROM edge_media_erase`);
      assert.equal(orders.length, 2);
      assert.ok(orders.every((o) => o.acked_at !== null && o.refs === '[]'));
      // The erased event's crop is no longer served (its reference is gone with the identity).
      const gone = await authedFetch((await login(hub.url)).accessToken)(`${hub.url}/api/events/${p1}/crop`);
      assert.equal(gone.status, 404);
    } finally {
      for (const c of clients) c.end(true);
      await hub.close();
    }
  },
);
