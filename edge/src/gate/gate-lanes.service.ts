import { dirname, join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CscaTrustStore } from '../../../libs/cccd/src/index.js';
import { type GateEvent, type GateStatus } from '../../../libs/contracts/src/index.js';
import { FacePipeline } from '../../../libs/face/src/index.js';
import { idNumberHmac } from '../../../libs/watchlist-match/src/index.js';
import type { ActuatorConfig } from '../actuators/actuator-config.schema.js';
import type { ActuatorDriver } from '../actuators/actuator-driver.js';
import { createActuator } from '../actuators/create-actuator.js';
import { DoorMonitor } from '../actuators/door-monitor.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import { GateLinks } from '../mqtt/gate-links.js';
import { newEventId } from '../outbox/event-id.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { AntiPassback } from './anti-passback.js';
import { CommandGuard } from './command-guard.js';
import { checksIdNumbers, loadIdHmacKey } from './id-hmac-key.js';
import type { FrameFaceCapturer } from './face-capture.js';
import { GateCommandListener } from './gate-command-listener.js';
import { PipelineFaceMatcher } from './face-matcher.js';
import type { Lane } from './lane.js';
import { LaneFactory } from './lane-factory.js';
import { LaneStateSink } from './lane-state-sink.js';
import { MemoryWatchlist } from './memory-watchlist.js';
import { PcscCardSlots } from './pcsc-card-slots.js';
import type { LaneQrInputs } from './qr/lane-qr-inputs.js';
import type { QrInputHealth } from './qr/qr-input-config.schema.js';
import { SyncedWatchlist } from './synced-watchlist.js';
import { EdgeWatchlist } from '../watchlist/index.js';

/**
 * Builds the decision lanes of every gate from the edge config and wires them to the hardware
 * (PC/SC readers, lane cameras, actuators), the outbox (decisions), the gate's MQTT link (lane state
 * out, operator commands in). An edge without lanes costs nothing here.
 */
@Injectable()
export class GateLanesService implements OnApplicationBootstrap {
  private readonly log = new Logger('Gate');
  private readonly lanes = new Map<string, Lane>();
  private readonly actuators = new Map<string, ActuatorDriver>();
  private readonly monitors: DoorMonitor[] = [];
  private readonly capturers: FrameFaceCapturer[] = [];
  private readonly qrInputs = new Map<string, LaneQrInputs>();
  private slots: PcscCardSlots | undefined;
  private faces: FacePipeline | undefined;
  /** Entries kept on this box only; the lanes check the hub-synced cache first. */
  watchlist: MemoryWatchlist | undefined;
  /** The hub-synced watchlist/allowlist cache (PART B's edge/src/watchlist). */
  synced: EdgeWatchlist | undefined;
  readonly antiPassback = new AntiPassback(16 * 3600_000);
  private commands: CommandGuard | undefined;
  /** Each gate's operator-command listener. */
  private readonly listeners = new Map<string, GateCommandListener>();

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    private readonly outbox: OutboxService,
    private readonly links: GateLinks,
  ) {}

  lane(gateId: string, laneId: string): Lane | undefined {
    return this.lanes.get(`${gateId}/${laneId}`);
  }

  /** The broker has acknowledged this gate's command subscription: commands published now reach it. */
  listensForCommands(gateId: string): boolean {
    return this.listeners.get(gateId)?.listening ?? false;
  }

  actuator(id: string): ActuatorDriver | undefined {
    return this.actuators.get(id);
  }

  /** Health of every lane's QR inputs (scanner connected, last error, scans), keyed `gate/lane`. */
  qrHealth(): Record<string, QrInputHealth[]> {
    return Object.fromEntries([...this.qrInputs].map(([k, q]) => [k, q.health()]));
  }

  /** The QR inputs and card readers of a gate's lanes, for its status message (undefined: the gate has no running lane). */
  laneDevices(gateId: string): Pick<GateStatus, 'qrInputs' | 'cardReaders'> | undefined {
    const g = this.cfg.gates.find((x) => x.id === gateId);
    const lanes = (g?.lanes ?? []).flatMap((l) => this.lanes.get(`${gateId}/${l.id}`) ?? []);
    if (!g || !lanes.length) return undefined;
    return {
      qrInputs: (g.lanes ?? []).flatMap((l) =>
        (this.qrInputs.get(`${gateId}/${l.id}`)?.health() ?? []).map((h) => ({ laneId: l.id, ...h })),
      ),
      cardReaders: this.slots?.health(lanes) ?? [],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const { cfg, outbox, links } = this;
    if (!cfg.gates.some((g) => (g.lanes ?? []).length > 0)) return;
    const faces = await FacePipeline.create();
    this.faces = faces;
    const matcher = new PipelineFaceMatcher(faces, cfg.gate.matchThreshold !== undefined ? { threshold: cfg.gate.matchThreshold } : {});
    const laneLists = await this.startLists(faces, links);
    const apb = new AntiPassback(
      cfg.gate.antiPassbackHours * 3600_000,
      Date.now,
      join(dirname(cfg.outbox.path), `anti-passback-${cfg.site.id}.db`),
    );
    (this as { antiPassback: AntiPassback }).antiPassback = apb;
    const commands = new CommandGuard(join(dirname(cfg.outbox.path), `commands-${cfg.site.id}.db`));
    this.commands = commands;
    // Without the hub's key an ID number can match nothing: lanes that check ID numbers would open for
    // everyone on the watchlist. They are not started; count-only and face-only lanes run.
    const key = loadIdHmacKey(cfg.gate.idHmacKeyFile);
    const hmacId = (id: string) => {
      if (!key) throw new Error('no ID-number HMAC key');
      return idNumberHmac(key, id);
    };
    const withoutKey: string[] = [];
    const trust = CscaTrustStore.fromPaths(cfg.gate.cscaPaths);

    for (const a of cfg.actuators) await this.startActuator(a);
    const factory = new LaneFactory({
      cfg,
      faces,
      matcher,
      lists: laneLists,
      antiPassback: apb,
      hmacId,
      actuator: (id) => this.actuators.get(id),
      granted: (id, until) => this.monitorOf(id)?.granted(until),
    });
    const readerLanes: { lane: Lane; reader: string }[] = [];
    for (const g of cfg.gates) {
      const client = links.link(g.id);
      const sink = new LaneStateSink(cfg.site.id, g.id, client, outbox);
      const gateLanes = new Map<string, Lane>();
      for (const l of g.lanes ?? []) {
        if (!key && checksIdNumbers(l.policy.kind ?? cfg.site.kind, l)) {
          withoutKey.push(`${g.id}/${l.id}`);
          sink.showFault(l.id, 'id_hmac_key_missing');
          continue;
        }
        const built = factory.build(g, l, sink);
        if (built.face) this.capturers.push(built.face);
        if (built.qrInputs) this.qrInputs.set(`${g.id}/${l.id}`, built.qrInputs);
        this.lanes.set(`${g.id}/${l.id}`, built.lane);
        gateLanes.set(l.id, built.lane);
        if (l.reader) readerLanes.push({ lane: built.lane, reader: l.reader });
        const actCfg = cfg.actuators.find((a) => a.id === l.actuator);
        if (actCfg) this.bindDoorAlarms(cfg, g.id, g.zone, l.id, actCfg, outbox);
      }
      const listener = new GateCommandListener(cfg.site.id, g.id, gateLanes, commands);
      listener.listen(client);
      this.listeners.set(g.id, listener);
    }
    if (readerLanes.length) {
      const which = readerLanes.map((l) => l.lane.id).join(', ');
      this.slots = new PcscCardSlots(readerLanes, trust, (e) => this.log.warn(`PC/SC: ${pcscHint(e.message)}`));
      // A missing binding: one line saying what to install; everything else (cameras, counting, other
      // lanes) runs. A pcscd that does not answer is reported and tried again (PcscCardSlots).
      await this.slots.start().catch((e: Error) => this.log.error(`card reader lanes ${which} cannot read cards: ${pcscHint(e.message)}`));
    }
    if (withoutKey.length)
      this.log.error(
        `lane(s) ${withoutKey.join(', ')} NOT started: they check ID numbers and no ID-number HMAC key is set (gate.idHmacKeyFile or CG_ID_HMAC_KEY, the hub's HUB_ID_HMAC_KEY); count-only and face-only lanes run`,
      );
    this.log.log(
      `${this.lanes.size} lane(s) ready (${readerLanes.length} with a card reader, ${this.capturers.length} with a camera, ${this.qrInputs.size} with QR inputs)`,
    );
  }

  /** The lists the lanes check: the hub-synced cache first, then entries kept on this box only. */
  private async startLists(faces: FacePipeline, links: GateLinks): Promise<SyncedWatchlist> {
    const { cfg } = this;
    // 1:N thresholds per use from the embedder's calibration (a site's gate.matchThreshold sets only the 1:1 card threshold).
    const alert = faces.thresholdsFor('alert');
    const lists = { watchlist: alert.accept, allowlist: faces.thresholdsFor('admit').accept, watchlistReview: alert.review };
    this.watchlist = new MemoryWatchlist(lists);
    // One synced cache per edge, over the first lane gate's link (the ACL lets every gate read its site's list).
    const listGate = cfg.gates.find((g) => (g.lanes ?? []).length > 0)!;
    this.synced = new EdgeWatchlist({
      link: links.link(listGate.id),
      siteId: cfg.site.id,
      gateId: listGate.id,
      cachePath: join(dirname(cfg.outbox.path), `watchlist-${cfg.site.id}.db`),
      faceThreshold: lists,
    });
    await this.synced.start();
    return new SyncedWatchlist(this.synced, this.watchlist);
  }

  private readonly monitorById = new Map<string, DoorMonitor>();
  private monitorOf(id: string): DoorMonitor | undefined {
    return this.monitorById.get(id);
  }

  private async startActuator(a: ActuatorConfig): Promise<void> {
    const driver = createActuator(a, (e) => this.log.warn(`actuator ${a.id}: ${e.message}`));
    this.actuators.set(a.id, driver);
    try {
      await driver.init();
    } catch (e) {
      // The lane still decides; a failed release later becomes `actuator_fault` on the event.
      this.log.error(`actuator ${a.id} not ready: ${(e as Error).message}`);
    }
  }

  /** Door forced / held open on a lane's actuator become events (not crossings) in the outbox. */
  private bindDoorAlarms(cfg: EdgeConfig, gateId: string, zoneId: string, laneId: string, a: ActuatorConfig, outbox: OutboxService): void {
    if (this.monitorById.has(a.id)) return;
    const driver = this.actuators.get(a.id)!;
    const m = new DoorMonitor(driver, a, (alarm, at) => {
      const event: GateEvent = {
        eventId: newEventId(),
        siteId: cfg.site.id,
        zoneId,
        gateId,
        laneId,
        direction: 'entry',
        source: 'manual',
        occurredAt: new Date(at).toISOString(),
        decision: { decisionId: newEventId(), outcome: 'deny', reasons: [alarm], method: 'none' },
      };
      this.log.warn({ msg: `gate ${gateId} lane ${laneId}: ${alarm}`, eventId: event.eventId, gateId, laneId });
      outbox.enqueue(event);
    });
    this.monitorById.set(a.id, m);
    this.monitors.push(m);
  }

  /** First step of the edge's shutdown, while the outbox still takes events: a cycle cut short still records its `lane_closed` decision. */
  async stop(): Promise<void> {
    await Promise.all([...this.qrInputs.values()].map((q) => q.stop()));
    await Promise.all([...this.lanes.values()].map((l) => l.close()));
    this.slots?.stop();
    this.monitors.forEach((m) => m.stop());
    await Promise.all(this.capturers.map((c) => c.stop()));
    await Promise.all([...this.actuators.values()].map((a) => a.close()));
    await this.synced?.close();
    this.antiPassback.close();
    this.commands?.close();
    await this.faces?.dispose();
  }
}

/** pcscd's "no service" answer, in words an installer acts on. */
function pcscHint(message: string): string {
  if (!/0x8010001d|service not available|no service|pcscd is not running/i.test(message)) return message;
  const what = /pcscd is not running/.test(message) ? message : `pcscd is not running (${message})`;
  return `${what}: install and start it (Debian: \`apt-get install pcscd\`, then \`systemctl start pcscd\`); the lane is tried again until it answers`;
}
