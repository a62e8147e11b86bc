import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { stringify } from 'yaml';
import { hubConfigFromEnv, type HubConfig } from '../../apps/hub/src/config/hub-config.js';
import { startHub, type HubApp } from '../../apps/hub/src/hub-app.js';
import {
  SocketEvents,
  type Alert,
  type CountsPayload,
  type Decision,
  type LaneState,
  type SitesConfig,
} from '../../libs/contracts/src/index.js';
import type { ActuatorConfigInput } from '../../edge/src/actuators/actuator-config.schema.js';
import { EdgeConfigSchema, type EdgeConfig } from '../../edge/src/config/edge-config.schema.js';
import type { LaneConfigInput } from '../../edge/src/gate/lane-config.schema.js';
import { authedFetch, authedJson, login, TEST_ADMIN_CONFIG } from '../support/hub-auth.js';
import {
  createCsca,
  createTestCard,
  EmrtdApplet,
  ensurePcscd,
  VpcdLink,
  type PcscdHandle,
  type TestCard,
  type TestIssuer,
} from '../../libs/cccd/src/emulator/index.js';
import type { ResettableCard } from '../../libs/cccd/src/emulator/vpcd-link.js';

/** Shared read-only face photos: `CG_SHARED_DIR` or `../shared` beside the repository. */
export const sharedFace = (person: string, n: number) => join(process.env.CG_SHARED_DIR ?? '../shared', 'faces', person, `${n}.jpg`);

/** The QR printed on the front of a CCCD, as the lane's scanner reads it. */
export { testCardQr as cardQr } from '../../libs/cccd/src/emulator/index.js';

/** A card that stops answering after `afterApdus` commands and is pulled from the reader. */
class PulledMidRead implements ResettableCard {
  private n = 0;
  onPull: () => void = () => undefined;
  constructor(
    private readonly inner: EmrtdApplet,
    private readonly afterApdus: number,
  ) {}
  get atr() {
    return this.inner.atr;
  }
  reset() {
    this.inner.reset();
  }
  process(apdu: Uint8Array): Uint8Array {
    if (++this.n === this.afterApdus) this.onPull();
    return this.inner.process(apdu);
  }
}

/**
 * The card side of the gate tests: pcscd with the vpcd virtual reader, test CCCDs signed by one
 * test CSCA (written to a file the edge trusts), inserted and removed like a real card.
 */
export class CardRig {
  private pcscd: PcscdHandle | undefined;
  private link: VpcdLink | undefined;
  csca!: TestIssuer;
  cscaFile = '';

  async start(dir: string): Promise<void> {
    this.pcscd = await ensurePcscd();
    this.csca = await createCsca();
    this.cscaFile = join(dir, 'csca.der');
    writeFileSync(this.cscaFile, this.csca.der);
  }

  card(idNumber: string, facePath: string, fullName = 'Nguyễn Thị Thanh Hương'): Promise<TestCard> {
    return createTestCard({ idNumber, facePath, csca: this.csca, person: { fullName }, aa: 'none' });
  }

  async insert(card: TestCard, opts: { pullAfterApdus?: number } = {}): Promise<void> {
    await this.remove();
    const applet = new EmrtdApplet(card);
    const pulled = opts.pullAfterApdus ? new PulledMidRead(applet, opts.pullAfterApdus) : undefined;
    const link = new VpcdLink(pulled ?? applet);
    if (pulled) pulled.onPull = () => void link.remove();
    this.link = link;
    await link.insert();
  }

  async remove(): Promise<void> {
    const l = this.link;
    this.link = undefined;
    if (!l) return;
    await l.remove();
    // pcscd polls vpcd: a new card inserted before it saw the reader empty would look like no change.
    await new Promise((r) => setTimeout(r, 1200));
  }

  async stop(): Promise<void> {
    await this.remove();
    await this.pcscd?.stop();
  }
}

// ── face-only lanes, door alarms, PostgreSQL (issue #7) ───────────────────────────────────────────

export type SiteKind = SitesConfig['sites'][number]['kind'];

/** A photo from ../shared/faces as the base64 the enrolment API takes. */
export const sharedFaceB64 = (person: string, n: number) => readFileSync(sharedFace(person, n)).toString('base64');

/**
 * A unique site of `kind` with gates g1…gN in one zone: the hub's sites file and the matching edge
 * config, each gate given its lanes, plus the edge's actuators.
 */
export function laneSite(kind: SiteKind, gates: number) {
  const siteId = `${kind.slice(0, 3)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const dir = mkdtempSync(join(tmpdir(), 'cg-lanes-'));
  const gateIds = Array.from({ length: gates }, (_, i) => `g${i + 1}`);
  const site = {
    id: siteId,
    name: `${kind} (test)`,
    kind,
    zones: [{ id: 'z1', name: 'Cổng chính' }],
    gates: gateIds.map((id) => ({ id, zone: 'z1', name: `Cổng ${id}` })),
  };
  const sitesFile = join(dir, 'sites.yaml');
  writeFileSync(sitesFile, stringify({ sites: [site] } satisfies SitesConfig));
  const edgeConfig = (mqttUrl: string, lanes: Record<string, LaneConfigInput[]>, actuators: ActuatorConfigInput[]): EdgeConfig =>
    EdgeConfigSchema.parse({
      site: { id: siteId, name: site.name, kind },
      agent: { id: `edge-${kind}` },
      mqtt: { url: mqttUrl, reconnectMs: 200 },
      outbox: { path: join(dir, 'outbox.db'), synchronous: 'NORMAL' },
      zones: site.zones,
      // The lane cameras loop still photos, which never blink: the passive liveness check.
      gates: site.gates.map((g) => ({
        ...g,
        ...(lanes[g.id] ? { lanes: lanes[g.id]!.map((l) => ({ ...l, policy: { livenessCheck: 'passive' as const, ...l.policy } })) } : {}),
      })),
      actuators,
      statusIntervalMs: 1000,
    });
  return { siteId, dir, sitesFile, edgeConfig };
}
export type LaneSite = ReturnType<typeof laneSite>;

/** The hub in this process for `site` (embedded aedes; SQLite unless `databaseUrl`). */
export function startLaneHub(site: LaneSite, overrides: Partial<HubConfig> = {}): Promise<HubApp> {
  const d = site.dir;
  return startHub(
    hubConfigFromEnv(
      {},
      {
        port: 0,
        embeddedMqttPort: 0,
        embeddedMqttHost: '127.0.0.1',
        sitesFile: site.sitesFile,
        sqlitePath: `${d}/hub.db`,
        dataKeyFile: `${d}/keys.json`,
        jwtSecretFile: `${d}/jwt.key`,
        retentionIntervalMin: 0,
        ...TEST_ADMIN_CONFIG,
        ...overrides,
      },
    ),
    false,
  );
}

/** Creates a user with `role` at `siteId` (as the test admin) and returns its access token. */
export async function userToken(hubUrl: string, username: string, role: 'security' | 'operator', siteId: string): Promise<string> {
  const admin = authedFetch((await login(hubUrl)).accessToken);
  const password = `${username}-long-password-1`;
  const res = await admin(`${hubUrl}/api/users`, {
    method: 'POST',
    body: { mustChangePassword: false, username, password, role, siteIds: [siteId] },
  });
  if (res.status !== 201) throw new Error(`creating ${username}: ${res.status} ${await res.text()}`);
  return (await login(hubUrl, username, password)).accessToken;
}

/** Enrols a person (watchlist or allowlist) through the hub's REST API; returns the entry id. */
export async function enrol(
  hubUrl: string,
  token: string,
  siteId: string,
  body: { listKind: 'watchlist' | 'allowlist'; fullName: string; severity: string; reason?: string; photos: string[] },
): Promise<string> {
  const res = await authedFetch(token)(`${hubUrl}/api/sites/${siteId}/watchlist`, { method: 'POST', body });
  if (res.status !== 201) throw new Error(`enrolling ${body.fullName}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { entry: { entryId: string } }).entry.entryId;
}

/** A signed-in Socket.IO client of the hub, collecting the lane states and alerts it is sent. */
export class HubWatch {
  readonly laneStates: LaneState[] = [];
  readonly alerts: Alert[] = [];
  private constructor(private readonly socket: Socket) {
    socket.on(SocketEvents.laneState, (s: LaneState) => this.laneStates.push(s));
    socket.on(SocketEvents.alertNew, (a: Alert) => this.alerts.push(a));
  }

  /** Connects with `token` and joins the site's room (lane states); alerts come by role. */
  static async open(hubUrl: string, token: string, siteId: string): Promise<HubWatch> {
    const socket = io(hubUrl, { transports: ['websocket'], auth: { token }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = (await socket.emitWithAck(SocketEvents.subscribe, { siteIds: [siteId] })) as { ok: boolean; error?: string };
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.error}`);
    return new HubWatch(socket);
  }

  close(): void {
    this.socket.close();
  }
}

export interface StoredDecision {
  eventId: string;
  gateId: string;
  laneId: string | null;
  source: string;
  outcome: string | null;
  decision: Decision;
}

/** Decision events of a site as stored at the hub, oldest first (works on SQLite and PostgreSQL). */
export async function storedDecisions(hub: HubApp, siteId: string): Promise<StoredDecision[]> {
  const db = hub.app.get(DataSource);
  const p = db.options.type === 'postgres' ? '$1' : '?';
  const rows: {
    event_id: string;
    gate_id: string;
    lane_id: string | null;
    source: string;
    decision_outcome: string | null;
    decision_json: string | Decision;
  }[] = await db.query(
    `SELECT event_id, gate_id, lane_id, source, decision_outcome, decision_json FROM gate_events WHERE site_id = ${p} AND decision_json IS NOT NULL ORDER BY event_id`,
    [siteId],
  );
  // PostgreSQL returns the JSONB column parsed, SQLite the text.
  return rows.map((r) => ({
    eventId: r.event_id,
    gateId: r.gate_id,
    laneId: r.lane_id,
    source: r.source,
    outcome: r.decision_outcome,
    decision: typeof r.decision_json === 'string' ? (JSON.parse(r.decision_json) as Decision) : r.decision_json,
  }));
}

/** Today's headcount of the site over REST. */
export async function todayCounts(hubUrl: string, token: string, siteId: string): Promise<CountsPayload> {
  return authedJson(token)<CountsPayload>(`${hubUrl}/api/counts/today?siteId=${siteId}`);
}

/**
 * An HTTP relay board on 127.0.0.1: `/relay/on` releases, `/relay/off` locks, `/status` reports the
 * door contact as `{"door":"open"|"closed"}` (what HttpRelayActuator polls). The test moves the door.
 */
export class RelayBoard {
  readonly calls: string[] = [];
  doorOpen = false;
  /** Status requests answered (the driver polls the door contact). */
  polls = 0;
  private server: Server | undefined;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/status') this.calls.push(req.url!);
      else this.polls++;
      res.setHeader('content-type', 'application/json');
      res.end(
        req.url === '/status'
          ? JSON.stringify({ relay: this.released ? 'on' : 'off', door: this.doorOpen ? 'open' : 'closed' })
          : '{"ok":true}',
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get released(): boolean {
    return this.calls.at(-1) === '/relay/on';
  }

  /** How many times the relay was released. */
  get pulses(): number {
    return this.calls.filter((c) => c === '/relay/on').length;
  }

  actuator(id: string, extra: Partial<ActuatorConfigInput> = {}): ActuatorConfigInput {
    return {
      id,
      kind: 'http',
      releaseUrl: `${this.base}/relay/on`,
      lockUrl: `${this.base}/relay/off`,
      statusUrl: `${this.base}/status`,
      pollMs: 100,
      ...extra,
    } as ActuatorConfigInput;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
