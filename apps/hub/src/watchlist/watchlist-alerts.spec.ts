import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { v7 } from 'uuid';
import { SocketEvents, topics, type Alert, type GateEvent, type WatchlistEnrolResult } from '../../../../libs/contracts/src/index.js';
import { encodeTemplate, fusedTemplates } from '../../../../libs/watchlist-match/src/index.js';
import { authedFetch, issueGateCredentials, login, TEST_ADMIN_CONFIG } from '../../../../test/support/hub-auth.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { facePhoto, multiFacePhoto, noFacePhoto, twoSites } from '../../../../test/support/watchlist-fixtures.js';
import { AlertChecker } from '../alerts/alert-checker.service.js';
import { hubConfigFromEnv } from '../config/hub-config.js';
import { startHub } from '../hub-app.js';
import { FaceEnrolment } from './face-enrolment.service.js';
import { SiteMatchers } from './site-matchers.service.js';
import { AlertRules } from '../alerts/alert-rules.service.js';
import { l2Normalise } from '../../../../libs/face/src/index.js';

const b64 = (b: Buffer) => b.toString('base64');

/**
 * Enrolment (refusals with reasons), 1:N search, and the alert path on real parts: an event published
 * over MQTT by a gate whose face template or CCCD number matches raises an alert that reaches the
 * security socket of that site only; acknowledge → resolve is recorded; identity is stored encrypted.
 */
async function scenario(databaseUrl?: string): Promise<void> {
  const s = twoSites();
  const hub = await startHub(
    hubConfigFromEnv(
      {},
      {
        port: 0,
        embeddedMqttPort: 0,
        embeddedMqttHost: '127.0.0.1',
        sitesFile: s.sitesFile,
        sqlitePath: `${s.dir}/hub.db`,
        databaseUrl,
        dataKeyFile: `${s.dir}/keys.json`,
        jwtSecretFile: `${s.dir}/jwt.key`,
        retentionIntervalMin: 0,
        ...TEST_ADMIN_CONFIG,
      },
    ),
    false,
  );
  const sockets: Socket[] = [];
  let gate: mqtt.MqttClient | null = null;
  try {
    const admin = authedFetch((await login(hub.url)).accessToken);
    for (const [username, siteId] of [
      ['sec-a', s.a],
      ['sec-b', s.b],
      ['op-a', s.a],
    ] as const) {
      const res = await admin(`${hub.url}/api/users`, {
        method: 'POST',
        body: {
          mustChangePassword: false,
          username,
          password: 'a-long-password-123',
          role: username.startsWith('op') ? 'operator' : 'security',
          siteIds: [siteId],
        },
      });
      assert.equal(res.status, 201, await res.text());
    }
    const secA = (await login(hub.url, 'sec-a', 'a-long-password-123')).accessToken;
    const secB = (await login(hub.url, 'sec-b', 'a-long-password-123')).accessToken;
    const opA = (await login(hub.url, 'op-a', 'a-long-password-123')).accessToken;
    const asSecA = authedFetch(secA);

    // Enrolment refuses photos it cannot use, saying why.
    const two = await asSecA(`${hub.url}/api/sites/${s.a}/watchlist`, {
      method: 'POST',
      body: { fullName: 'Hai Người', photos: [b64(multiFacePhoto())] },
    });
    assert.equal(two.status, 422);
    const twoBody = (await two.json()) as { photos: { refusal: string; reason: string }[] };
    assert.equal(twoBody.photos[0]!.refusal, 'multiple-faces');
    assert.match(twoBody.photos[0]!.reason, /\d faces in the photo: enrol one person per photo/);
    const none = await asSecA(`${hub.url}/api/sites/${s.a}/watchlist`, {
      method: 'POST',
      body: { fullName: 'Không Mặt', photos: [b64(await noFacePhoto())] },
    });
    assert.equal(none.status, 422);
    assert.deepEqual(((await none.json()) as { photos: unknown[] }).photos, [
      { index: 0, accepted: false, refusal: 'no-face', reason: 'no face found in the photo' },
    ]);

    // A good entry: two photos of df01 plus a refused one; the good ones are enrolled.
    const created = await asSecA(`${hub.url}/api/sites/${s.a}/watchlist`, {
      method: 'POST',
      body: {
        fullName: 'Nguyễn Văn A',
        idNumber: '001099012345',
        reason: 'Truy nã (test)',
        severity: 'low',
        photos: [b64(facePhoto('df01/1.jpg')), b64(await noFacePhoto()), b64(facePhoto('df01/2.jpg'))],
      },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const enrol = (await created.json()) as WatchlistEnrolResult;
    assert.deepEqual(
      enrol.photos.map((p) => p.accepted),
      [true, false, true],
    );
    assert.equal(enrol.entry.templateCount, 2);
    assert.equal(enrol.entry.idNumberMasked, '0010******45');
    // Someone else on site A (allowlist), to make the search pick the right one.
    const other = await asSecA(`${hub.url}/api/sites/${s.a}/watchlist`, {
      method: 'POST',
      body: { fullName: 'Worker', listKind: 'allowlist', severity: 'low', photos: [b64(facePhoto('fr_obama/1.jpg'))] },
    });
    assert.equal(other.status, 201);

    // Site scoping and roles: B's security and A's operator cannot touch A's list.
    assert.equal((await authedFetch(secB)(`${hub.url}/api/sites/${s.a}/watchlist`)).status, 403);
    assert.equal((await authedFetch(opA)(`${hub.url}/api/sites/${s.a}/watchlist`)).status, 403);

    // 1:N search from another photo of the same person.
    const found = (await (
      await asSecA(`${hub.url}/api/sites/${s.a}/watchlist/search`, { method: 'POST', body: { photo: b64(facePhoto('df01/3.jpg')) } })
    ).json()) as { entry: { entryId: string }; similarity: number }[];
    assert.equal(found[0]?.entry.entryId, enrol.entry.entryId);

    // Sockets: security of A and of B.
    const alertsA: Alert[] = [];
    const alertsB: Alert[] = [];
    const updatesA: Alert[] = [];
    for (const [token, sink] of [
      [secA, alertsA],
      [secB, alertsB],
    ] as const) {
      const sock = io(hub.url, { transports: ['websocket'], auth: { token } });
      sockets.push(sock);
      sock.on(SocketEvents.alertNew, (a: Alert) => sink.push(a));
      if (token === secA) sock.on(SocketEvents.alertUpdate, (a: Alert) => updatesA.push(a));
      await new Promise<void>((r, j) => {
        sock.once('connect', () => r());
        sock.once('connect_error', j);
      });
    }

    // A gate of site A sees df01 (face template from yet another photo) and, later, the CCCD number.
    const creds = await issueGateCredentials(hub.url, (await login(hub.url)).accessToken, s.a, ['g1']);
    const c = creds.get('g1')!;
    gate = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
      username: c.username,
      password: c.password,
      clientId: c.username,
      protocolVersion: 4,
    });
    const probe = await hub.app.get(FaceEnrolment).probe(facePhoto('df01/4.jpg'));
    const base = { siteId: s.a, zoneId: 'z1', gateId: 'g1', direction: 'entry' as const, occurredAt: new Date().toISOString() };
    const faceEvent: GateEvent = {
      ...base,
      eventId: v7(),
      source: 'face',
      identity: { faceTemplate: encodeTemplate(probe!) },
      attachments: [{ kind: 'face_crop', ref: 'media://g1/crop-1.jpg' }],
    };
    const stranger = await hub.app.get(FaceEnrolment).probe(facePhoto('fr_kit_harington/1.jpg'));
    const strangerEvent: GateEvent = { ...base, eventId: v7(), source: 'face', identity: { faceTemplate: encodeTemplate(stranger!) } };
    const cardEvent: GateEvent = {
      ...base,
      eventId: v7(),
      source: 'card',
      identity: { idNumber: '001099012345', fullName: 'Nguyễn Văn A' },
    };
    for (const e of [faceEvent, strangerEvent, faceEvent, cardEvent])
      await gate.publishAsync(topics.gateEvents(s.a, 'g1'), JSON.stringify(e), { qos: 1 });

    // The same person seen by face, then by CCCD number at the same site: one alert, the second sighting folded in.
    await waitFor(
      () => alertsA.length,
      (n) => n >= 1,
      20_000,
      'an alert on the site A socket',
    );
    await waitFor(
      () => updatesA,
      (l) => l.some((u) => u.sightings === 2),
      20_000,
      'the card sighting folded into it',
    );
    await hub.app.get(AlertChecker).settled();
    assert.equal(alertsA.length, 1, 'one alert for the person; the duplicate event and the stranger raise none');
    const face = alertsA[0]!;
    assert.equal(face.matchKind, 'face');
    assert.equal(face.entryId, enrol.entry.entryId);
    assert.equal(face.severity, 'critical', 'a watchlist match is critical whatever severity the entry was listed with (low here)');
    assert.equal(face.gateId, 'g1');
    assert.equal(face.snapshotRef, 'media://g1/crop-1.jpg');
    assert.equal(face.fullName, 'Nguyễn Văn A');
    // At or above the embedder's calibrated 1:N alert threshold (cosine; the ArcFace-style model's scale, not dlib's ~0.9).
    const alertAt = hub.app.get(FaceEnrolment).threshold;
    assert.ok(face.score !== null && face.score >= alertAt && face.score < 1, `score ${face.score} vs alert threshold ${alertAt}`);
    // Enrolled from two photos, the entry is also searched by their fused template: the alert's score
    // is the best of the two photos' templates and the fused one.
    const listed = hub.app.get(SiteMatchers).site(s.a).get(enrol.entry.entryId)!;
    assert.equal(listed.templates.length, 2);
    const cos = (x: Float32Array, y: Float32Array) => x.reduce((sum, v, d) => sum + v * y[d]!, 0);
    const candidates = [...listed.templates, ...fusedTemplates(listed.templates)].map((t) => cos(t, probe!));
    assert.equal(candidates.length, 3);
    assert.ok(
      Math.abs(face.score - Math.max(...candidates)) < 1e-4,
      `alert score ${face.score} = best of photos and fused ${candidates.map((c) => c.toFixed(4))}`,
    );
    const folded = updatesA.find((u) => u.sightings === 2)!;
    assert.equal(folded.alertId, face.alertId);
    assert.equal(folded.lastEventId, cardEvent.eventId);
    assert.deepEqual(
      ((await (await asSecA(`${hub.url}/api/sites/${s.a}/alerts/${face.alertId}/sightings`)).json()) as { matchKind: string }[])
        .map((x) => x.matchKind)
        .sort(),
      ['face', 'id_number'],
    );
    assert.deepEqual(alertsB, [], 'site B security saw nothing of site A');

    // A face in the possible-match band (the calibrated alert REVIEW floor up to the threshold)
    // reaches security as `face_near` even where the site's rule silences everything below critical.
    const enrolment = hub.app.get(FaceEnrolment);
    assert.ok(
      enrolment.searchThreshold < enrolment.threshold,
      `the alert has a possible-match band (${enrolment.searchThreshold} < ${enrolment.threshold})`,
    );
    const matcher = hub.app.get(SiteMatchers).site(s.a);
    const mix = (w: number) => l2Normalise(Float32Array.from(probe!, (v, i) => w * v + (1 - w) * stranger![i]!));
    const bestScore = (v: Float32Array) => matcher.matchFace(v, { threshold: -1, listKind: 'watchlist' })[0]?.similarity ?? -1;
    const target = (enrolment.searchThreshold + enrolment.threshold) / 2;
    let [lo, hi] = [0, 1];
    for (let i = 0; i < 40; i++) [lo, hi] = bestScore(mix((lo + hi) / 2)) < target ? [(lo + hi) / 2, hi] : [lo, (lo + hi) / 2];
    const nearTemplate = mix((lo + hi) / 2);
    const nearScore = bestScore(nearTemplate);
    assert.ok(nearScore >= enrolment.searchThreshold && nearScore < enrolment.threshold, `synthetic probe ${nearScore} inside the band`);
    const rules = hub.app.get(AlertRules);
    const before = rules.ruleFor(s.a);
    await rules.put({ siteId: s.a, minSeverity: 'critical', notifyRoles: ['security', 'admin'] });
    const nearEvent: GateEvent = { ...base, eventId: v7(), source: 'face', identity: { faceTemplate: encodeTemplate(nearTemplate) } };
    await gate.publishAsync(topics.gateEvents(s.a, 'g1'), JSON.stringify(nearEvent), { qos: 1 });
    // The person's alert is still open, so the sighting is folded into it (one alert per visit) and pushed as an update.
    const nearOf = () => [...alertsA, ...updatesA].find((a) => a.matchKind === 'face_near');
    await waitFor(
      () => nearOf(),
      (a) => a !== undefined,
      20_000,
      'the possible match on the site A socket',
    );
    await hub.app.get(AlertChecker).settled();
    const near = nearOf()!;
    assert.equal(near.entryId, enrol.entry.entryId);
    assert.ok(Math.abs(near.score! - nearScore) < 1e-4);
    assert.equal(near.severity, 'critical', 'a possible match folded into a match alert never lowers it');
    await rules.put({ ...before, siteId: s.a });

    // Workflow: acknowledge → resolve; a second resolve conflicts; updates are pushed.
    const ack = await asSecA(`${hub.url}/api/sites/${s.a}/alerts/${face.alertId}/acknowledge`, { method: 'POST', body: {} });
    assert.equal(ack.status, 200);
    assert.equal(((await ack.json()) as Alert).acknowledgedBy, 'sec-a');
    const res = await asSecA(`${hub.url}/api/sites/${s.a}/alerts/${face.alertId}/resolve`, {
      method: 'POST',
      body: { note: 'stopped at gate 1' },
    });
    const resolved = (await res.json()) as Alert;
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.closedBy, 'sec-a');
    assert.ok(resolved.closedAt);
    assert.equal((await asSecA(`${hub.url}/api/sites/${s.a}/alerts/${face.alertId}/resolve`, { method: 'POST', body: {} })).status, 409);
    assert.equal(
      (await authedFetch(secB)(`${hub.url}/api/sites/${s.a}/alerts/${face.alertId}/resolve`, { method: 'POST', body: {} })).status,
      403,
    );
    await waitFor(
      () => updatesA.map((u) => u.status),
      (l) => l.includes('resolved'),
      5000,
      'alert update pushed',
    );
    const fp = await asSecA(`${hub.url}/api/sites/${s.a}/alerts/${face.alertId}/false-positive`, { method: 'POST', body: {} });
    assert.equal(fp.status, 409);
    assert.equal(((await fp.json()) as { code: string }).code, 'ALERT_WRONG_STATE');

    // With the person's alert closed and no grouping window, a possible match raises an alert of its
    // own at 'medium' (under a critical-only rule); a match seen next folds into it and makes it critical.
    await rules.put({ siteId: s.a, minSeverity: 'critical', notifyRoles: ['security', 'admin'], groupWindowMinutes: 0 });
    const nearAgain: GateEvent = {
      ...base,
      eventId: v7(),
      occurredAt: new Date().toISOString(),
      source: 'face',
      identity: { faceTemplate: encodeTemplate(nearTemplate) },
    };
    await gate.publishAsync(topics.gateEvents(s.a, 'g1'), JSON.stringify(nearAgain), { qos: 1 });
    await waitFor(
      () => alertsA.find((a) => a.eventId === nearAgain.eventId),
      (a) => a !== undefined,
      20_000,
      'a new possible-match alert',
    );
    const possible = alertsA.find((a) => a.eventId === nearAgain.eventId)!;
    assert.equal(possible.matchKind, 'face_near');
    assert.equal(possible.severity, 'medium');
    const matchAgain: GateEvent = {
      ...faceEvent,
      eventId: v7(),
      occurredAt: new Date(Date.parse(nearAgain.occurredAt) + 1000).toISOString(),
    };
    await gate.publishAsync(topics.gateEvents(s.a, 'g1'), JSON.stringify(matchAgain), { qos: 1 });
    await waitFor(
      () => updatesA.find((u) => u.alertId === possible.alertId && u.lastEventId === matchAgain.eventId),
      (u) => u !== undefined,
      20_000,
      'the match folded into it',
    );
    const raised = updatesA.find((u) => u.alertId === possible.alertId && u.lastEventId === matchAgain.eventId)!;
    assert.equal(raised.severity, 'critical', 'a match folded into a possible-match alert makes it critical');
    assert.equal(raised.matchKind, 'face');
    await rules.put({ ...before, siteId: s.a });

    // At rest: the identity block is a ciphertext, the CCCD number an HMAC; reads and changes audited.
    const db = hub.app.get(DataSource);
    const stored: { identity_json: string; id_number_hmac: string | null }[] = await db.query(
      `SELECT identity_json, id_number_hmac FROM gate_events WHERE event_id = '${cardEvent.eventId}'`,
    );
    assert.match(stored[0]!.identity_json, /^g1:k1:/);
    assert.ok(!stored[0]!.identity_json.includes('001099012345'));
    assert.match(stored[0]!.id_number_hmac!, /^[a-f0-9]{64}$/);
    const names: { full_name_enc: string; id_number_enc: string }[] = await db.query(
      `SELECT full_name_enc, id_number_enc FROM watchlist_entries`,
    );
    assert.ok(names.every((n) => n.full_name_enc.startsWith('g1:') && !n.full_name_enc.includes('Nguy')));
    const audit: { action: string }[] = await db.query(`SELECT action FROM audit_log WHERE site_id = '${s.a}'`);
    const actions = new Set(audit.map((a) => a.action));
    for (const a of ['watchlist.create', 'watchlist.search', 'alert.acknowledged', 'alert.resolved']) assert.ok(actions.has(a), a);
  } finally {
    for (const sock of sockets) sock.disconnect();
    await gate?.endAsync().catch(() => undefined);
    await hub.close();
  }
}

test('watchlist enrolment, 1:N search and alerts to the right site on SQLite', { timeout: 120_000 }, () => scenario());

test('the same on PostgreSQL', { timeout: 120_000 }, async () => {
  const pg = await createTestDatabase();
  try {
    await scenario(pg.url);
  } finally {
    await pg.drop();
  }
});
