import { Logger } from '@nestjs/common';
import type { FacePipeline } from '../../../libs/face/src/index.js';
import type { ActuatorConfig } from '../actuators/actuator-config.schema.js';
import type { ActuatorDriver } from '../actuators/actuator-driver.js';
import type { EdgeConfig, EdgeGate } from '../config/edge-config.schema.js';
import type { AntiPassback } from './anti-passback.js';
import { FrameFaceCapturer } from './face-capture.js';
import type { PipelineFaceMatcher } from './face-matcher.js';
import { Lane } from './lane.js';
import { laneFrameSource } from './lane-camera.js';
import type { LaneConfig } from './lane-config.schema.js';
import type { Actuation, LaneSink, LaneWatchlist } from './lane-ports.js';
import { createQrSource } from './qr/create-qr-source.js';
import { LaneQrInputs } from './qr/lane-qr-inputs.js';
import { HttpsVneidVerifier } from './vneid/https-vneid-verifier.js';

/** What every lane of this edge shares. */
export interface LaneFactoryDeps {
  cfg: EdgeConfig;
  faces: FacePipeline;
  matcher: PipelineFaceMatcher;
  lists: LaneWatchlist;
  antiPassback: AntiPassback;
  hmacId(idNumber: string): string;
  /** A started actuator driver by id, and what to tell its door monitor after a release. */
  actuator(id: string): ActuatorDriver | undefined;
  granted(actuatorId: string, until: number): void;
}

/** One lane as built: the state machine and the devices that feed it. */
export interface BuiltLane {
  lane: Lane;
  face?: FrameFaceCapturer;
  qrInputs?: LaneQrInputs;
}

/**
 * Builds a lane from its config: the lane camera's face capturer (and the presence watch that starts
 * face-only cycles), the VNeID verifier, the actuator's release with its door monitor, the QR inputs.
 */
export class LaneFactory {
  private readonly log = new Logger('Gate');

  constructor(private readonly d: LaneFactoryDeps) {}

  build(g: EdgeGate, l: LaneConfig, sink: LaneSink): BuiltLane {
    const { cfg, faces, matcher } = this.d;
    const zone = cfg.zones.find((z) => z.id === g.zone)!;
    const policy = l.policy.kind ?? cfg.site.kind;
    let face: FrameFaceCapturer | undefined;
    if (l.camera) {
      if (l.policy.livenessCheck === 'passive')
        this.log.warn(
          `lane ${g.id}/${l.id}: passive liveness only — its attack rejection is not measured (README "Liveness"); set policy.livenessCheck: blink or operator where photos or screens may be presented`,
        );
      face = new FrameFaceCapturer(laneFrameSource(l.camera), faces, l.policy.livenessThreshold ?? matcher.livenessThreshold);
    }
    const actuator = this.actuation(l);
    const lane = new Lane({
      siteId: cfg.site.id,
      zoneId: g.zone,
      gateId: g.id,
      config: l,
      policy,
      antiPassbackZone: zone.antiPassback === true,
      antiPassback: this.d.antiPassback,
      ...(face ? { face } : {}),
      ...(cfg.gate.vneid
        ? {
            vneid: {
              verifier: new HttpsVneidVerifier(cfg.gate.vneid, { siteId: cfg.site.id, gateId: g.id }),
              timeoutMs: cfg.gate.vneid.timeoutMs,
            },
          }
        : {}),
      matcher,
      watchlist: this.d.lists,
      ...(actuator ? { actuator } : {}),
      hmacId: this.d.hmacId,
      sink,
    });
    // Lanes where a face alone starts a cycle watch for one while they are free.
    if (face && (policy === 'industrial' || (policy === 'tourist' && !l.reader)))
      face.watchPresence(
        () => lane.faceSeen(),
        () => lane.phase === 'idle' && Date.now() - lane.idleSince > 1500,
      );
    let qrInputs: LaneQrInputs | undefined;
    if (l.qr.length) {
      const camera = face && l.camera ? { id: l.camera.id, latest: () => face.latestFrame() } : undefined;
      qrInputs = new LaneQrInputs(
        lane,
        l.qr.map((q) =>
          createQrSource(
            q,
            camera,
            () => lane.wantsQr,
            (m) => this.log.error(`lane ${g.id}/${l.id}: ${m}`),
          ),
        ),
        l.timeouts.qrRepeatMs,
        (m) => this.log.warn(m),
      );
      qrInputs.start();
    }
    return { lane, ...(face ? { face } : {}), ...(qrInputs ? { qrInputs } : {}) };
  }

  /** The lane's lock: released for its pulse, the door monitor told the passage is granted. */
  private actuation(l: LaneConfig): Actuation | undefined {
    const act = l.actuator ? this.d.actuator(l.actuator) : undefined;
    const actCfg: ActuatorConfig | undefined = this.d.cfg.actuators.find((a) => a.id === l.actuator);
    if (!act || !actCfg) return undefined;
    return {
      open: async () => {
        await act.release(actCfg.pulseMs);
        this.d.granted(actCfg.id, Date.now() + actCfg.pulseMs);
      },
    };
  }
}
