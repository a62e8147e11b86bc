import { test } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { SocketEvents, topics, type LaneState, type Role } from '../../../../libs/contracts/src/index.js';
import { authedFetch, issueGateCredentials, login } from '../../../../test/support/hub-auth.js';
import { startTwoSiteHub } from '../../../../test/support/two-site-hub.js';
import { waitFor } from '../../../../test/support/wait-for.js';

const FACE = Buffer.from('face-crop-jpeg').toString('base64');
const CHIP = Buffer.from('chip-photo-jpeg').toString('base64');

/** One lane state per lane kind, as the edge publishes them. */
function laneStates(siteId: string, gateId: string): Record<'identity' | 'allowlist' | 'count_only', LaneState> {
  const at = new Date().toISOString();
  return {
    identity: {
      siteId,
      gateId,
      laneId: 'card',
      phase: 'open',
      at,
      decisionId: 'd-card',
      outcome: 'open',
      reasons: ['face_match'],
      faceJpeg: FACE,
      chipJpeg: CHIP,
      matchScore: 0.71,
      liveness: 0.93,
      card: { idNumber: '079123456789', fullName: 'Nguyễn Văn A', dateOfBirth: '1990-01-01', genuine: true },
    },
    allowlist: {
      siteId,
      gateId,
      laneId: 'staff',
      phase: 'open',
      at,
      decisionId: 'd-staff',
      outcome: 'open',
      reasons: ['allowlist_match'],
      faceJpeg: FACE,
      matchScore: 0.66,
      watchlist: { listKind: 'allowlist', entryId: 'emp-42', score: 0.66, by: 'face' },
    },
    count_only: { siteId, gateId, laneId: 'tourist', phase: 'idle', at, faceJpeg: FACE, liveness: 0.9 },
  };
}

function connect(url: string, auth: Record<string, string>): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], auth, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const FACE_ROLES: Role[] = ['admin', 'security', 'operator'];

test(
  'lane states over a real socket: faces, chip photos and card data only to operator, security and admin of the site, on every lane kind',
  { timeout: 60_000 },
  async () => {
    const { hub, siteA, siteB } = await startTwoSiteHub();
    const sockets: Socket[] = [];
    const gate = { siteA: null as mqtt.MqttClient | null };
    try {
      const adminToken = (await login(hub.url)).accessToken;
      const admin = authedFetch(adminToken);
      const cred: Record<Role, string> = { admin: adminToken, security: '', operator: '', manager: '', ioc: '' };
      for (const role of ['security', 'operator', 'manager'] as const) {
        assert.equal(
          (
            await admin(`${hub.url}/api/users`, {
              method: 'POST',
              body: { mustChangePassword: false, username: `${role}-a`, password: `${role}-password-123`, role, siteIds: [siteA] },
            })
          ).status,
          201,
        );
        cred[role] = (await login(hub.url, `${role}-a`, `${role}-password-123`)).accessToken;
      }
      cred.ioc = (
        (await (await admin(`${hub.url}/api/api-keys`, { method: 'POST', body: { name: 'wall A', siteIds: [siteA] } })).json()) as {
          key: string;
        }
      ).key;
      // An operator of site B must see nothing of site A, faces least of all.
      assert.equal(
        (
          await admin(`${hub.url}/api/users`, {
            method: 'POST',
            body: {
              mustChangePassword: false,
              username: 'operator-b',
              password: 'operator-password-123',
              role: 'operator',
              siteIds: [siteB],
            },
          })
        ).status,
        201,
      );
      const operatorB = (await login(hub.url, 'operator-b', 'operator-password-123')).accessToken;

      const got = new Map<string, LaneState[]>();
      for (const [who, auth] of [
        ...Object.entries(cred).map(([r, c]) => [r, (r === 'ioc' ? { apiKey: c } : { token: c }) as Record<string, string>] as const),
        ['operator-b', { token: operatorB }] as const,
      ]) {
        const so = await connect(hub.url, auth);
        sockets.push(so);
        got.set(who, []);
        so.on(SocketEvents.laneState, (s: LaneState) => got.get(who)!.push(s));
        const siteIds = who === 'operator-b' ? [siteB] : [siteA];
        assert.deepEqual(await so.timeout(5000).emitWithAck(SocketEvents.subscribe, { siteIds }), { ok: true });
      }

      const creds = await issueGateCredentials(hub.url, adminToken, siteA, ['g1']);
      const c = creds.get('g1')!;
      gate.siteA = await mqtt.connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, {
        username: c.username,
        password: c.password,
        clientId: c.username,
        protocolVersion: 4,
      });
      const states = laneStates(siteA, 'g1');
      for (const s of Object.values(states)) await gate.siteA.publishAsync(topics.gateLanes(siteA, 'g1'), JSON.stringify(s), { qos: 1 });

      for (const who of Object.keys(cred))
        await waitFor(
          () => got.get(who)!.length,
          (n) => n === 3,
          10_000,
          `${who} gets the 3 lane states`,
        );

      const rest = async (credential: string) => {
        const r = await authedFetch(credential)(`${hub.url}/api/gate-control/lanes?siteId=${siteA}`);
        return r.status === 200 ? ((await r.json()) as LaneState[]) : r.status;
      };
      for (const [role, credential] of Object.entries(cred) as [Role, string][]) {
        const views = got.get(role)!;
        for (const [kind, sent] of Object.entries(states)) {
          const seen = views.find((v) => v.laneId === sent.laneId)!;
          const faces = FACE_ROLES.includes(role);
          assert.equal(seen.faceJpeg, faces ? FACE : undefined, `${role} on a ${kind} lane: live face ${faces ? 'shown' : 'hidden'}`);
          assert.equal(seen.chipJpeg, faces ? sent.chipJpeg : undefined, `${role} on a ${kind} lane: chip photo`);
          assert.equal(seen.card === undefined, !faces || sent.card === undefined, `${role} on a ${kind} lane: card block`);
          assert.equal(seen.matchScore === undefined, !faces || sent.matchScore === undefined, `${role} on a ${kind} lane: match score`);
          assert.equal(seen.watchlist === undefined, !faces || sent.watchlist === undefined, `${role} on a ${kind} lane: list entry`);
          assert.equal(seen.phase, sent.phase, `${role} still sees the lane phase`);
          assert.equal(seen.outcome, sent.outcome);
        }
        const card = views.find((v) => v.laneId === 'card')!.card;
        // The operator compares the person with the card's data (date of birth included), never the full number.
        if (role === 'operator')
          assert.deepEqual(card, { idNumber: '*********789', fullName: 'Nguyễn Văn A', dateOfBirth: '1990-01-01', genuine: true });
        if (role === 'admin' || role === 'security') assert.equal(card?.idNumber, '079123456789');
        // The REST start-up list says the same, or refuses the role outright.
        const listed = await rest(credential);
        if (FACE_ROLES.includes(role)) {
          assert.ok(Array.isArray(listed));
          for (const v of listed)
            assert.deepEqual(
              v,
              views.find((x) => x.laneId === v.laneId),
              `${role}: REST and socket views agree`,
            );
        } else assert.equal(listed, 403, `${role} may not list lanes`);
      }
      assert.deepEqual(got.get('operator-b'), [], 'an operator of another site gets nothing');
    } finally {
      await gate.siteA?.endAsync();
      for (const so of sockets) so.disconnect();
      await hub.close();
    }
  },
);
