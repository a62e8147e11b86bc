import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  Logger,
  Post,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  EnterCanRequestSchema,
  GateCommandAckSchema,
  IdSchema,
  LaneStateSchema,
  OpenLaneRequestSchema,
  ReviewVerdictRequestSchema,
  type GateCommand,
  type EnterCanRequest,
  type GateCommandAck,
  type OpenLaneRequest,
  type ReviewVerdictRequest,
} from '../../../../libs/contracts/src/index.js';
import { AuditService, type AuditRecord } from '../audit/audit.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { actorName, type Principal } from '../auth/principal.js';
import { ApiFromSchemas } from '../http/api-query-from.decorator.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { CommandNotSent, GateMqttBridge } from './gate-mqtt.bridge.js';
import { LaneStateRelay } from './lane-state.relay.js';
import { maskLaneState } from './lane-state-mask.js';

const LanesQuerySchema = z.strictObject({ siteId: IdSchema });

/**
 * The operator console's commands: a verdict on a REVIEW decision, or opening a lane by hand (e.g.
 * an anti-passback override). Each becomes a signed-in, audited MQTT command to the gate.
 */
@ApiTags('gate-control')
@ApiBearerAuth()
@Controller('api/gate-control')
export class GateControlController {
  private readonly log = new Logger('GateControl');

  constructor(
    private readonly bridge: GateMqttBridge,
    private readonly relay: LaneStateRelay,
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    private readonly audit: AuditService,
    private readonly registry: SiteRegistry,
  ) {}

  /** Id, issue time and expiry of a new command: the edge refuses it once expired or seen before. */
  private envelope(p: Principal, siteId: string, gateId: string) {
    const now = Date.now();
    return {
      commandId: randomUUID(),
      siteId,
      gateId,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.cfg.commandTtlSeconds * 1000).toISOString(),
      issuedBy: actorName(p),
    };
  }

  /**
   * Audited first, then published: a command that reaches a gate always has its audit row. A command
   * the broker did not take in time answers 503 and never goes out later.
   */
  private async send(cmd: GateCommand, audit: AuditRecord): Promise<GateCommandAck> {
    await this.audit.record(audit);
    try {
      // Waiting longer than the command lives is pointless; a shorter wait could answer 503 for a command the broker still delivers in time.
      await this.bridge.publish(cmd, this.cfg.commandTtlSeconds * 1000);
    } catch (e) {
      if (e instanceof CommandNotSent) throw new ServiceUnavailableException(e.message);
      throw e;
    }
    // With LOG_FORMAT=json this line also carries the HTTP request id: request → command → the gate's line.
    this.log.log({
      msg: `${cmd.type} sent to ${cmd.siteId}/${cmd.gateId}`,
      commandId: cmd.commandId,
      siteId: cmd.siteId,
      gateId: cmd.gateId,
      laneId: 'laneId' in cmd ? cmd.laneId : undefined,
    });
    return { commandId: cmd.commandId, publishedAt: new Date().toISOString(), expiresAt: cmd.expiresAt };
  }

  private checkGate(siteId: string, gateId: string): void {
    if (!this.registry.gate(siteId, gateId)) throw new ForbiddenException(`unknown gate ${siteId}/${gateId}`);
  }

  /** The latest state of every lane of a site (console start-up), masked for the caller's role. */
  @Get('lanes')
  @Access(['admin', 'operator', 'security'], { query: 'siteId' })
  @ApiFromSchemas(LanesQuerySchema, z.array(LaneStateSchema))
  lanes(@CurrentPrincipal() p: Principal, @Query(new ZodPipe(LanesQuerySchema)) q: { siteId: string }) {
    return this.relay.lanes(q.siteId).map((s) => maskLaneState(s, p.role));
  }

  @Post('review')
  @HttpCode(202)
  @Access(['admin', 'operator'], { body: 'siteId' })
  @ApiFromSchemas(ReviewVerdictRequestSchema, GateCommandAckSchema)
  async review(
    @CurrentPrincipal() p: Principal,
    @Body(new ZodPipe(ReviewVerdictRequestSchema)) b: ReviewVerdictRequest,
  ): Promise<GateCommandAck> {
    this.checkGate(b.siteId, b.gateId);
    const cmd: GateCommand = {
      type: 'review_decision',
      ...this.envelope(p, b.siteId, b.gateId),
      laneId: b.laneId,
      decisionId: b.decisionId,
      verdict: b.verdict,
      reason: b.reason,
    };
    return this.send(cmd, {
      actor: p,
      action: `gate.review.${b.verdict}`,
      subjectType: 'gate_decision',
      subjectId: b.decisionId,
      siteId: b.siteId,
      detail: { gateId: b.gateId, laneId: b.laneId, reason: b.reason, commandId: cmd.commandId },
    });
  }

  @Post('open')
  @HttpCode(202)
  @Access(['admin', 'operator'], { body: 'siteId' })
  @ApiFromSchemas(OpenLaneRequestSchema, GateCommandAckSchema)
  async open(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(OpenLaneRequestSchema)) b: OpenLaneRequest): Promise<GateCommandAck> {
    this.checkGate(b.siteId, b.gateId);
    const cmd: GateCommand = {
      type: 'open_gate',
      ...this.envelope(p, b.siteId, b.gateId),
      ...(b.laneId ? { laneId: b.laneId } : {}),
      reason: b.reason,
    };
    return this.send(cmd, {
      actor: p,
      action: 'gate.open',
      subjectType: 'gate',
      subjectId: `${b.gateId}/${b.laneId ?? '*'}`,
      siteId: b.siteId,
      detail: { reason: b.reason, commandId: cmd.commandId },
    });
  }

  @Post('can')
  @HttpCode(202)
  @Access(['admin', 'operator'], { body: 'siteId' })
  @ApiFromSchemas(EnterCanRequestSchema, GateCommandAckSchema)
  async can(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(EnterCanRequestSchema)) b: EnterCanRequest): Promise<GateCommandAck> {
    this.checkGate(b.siteId, b.gateId);
    const cmd: GateCommand = { type: 'enter_can', ...this.envelope(p, b.siteId, b.gateId), laneId: b.laneId, can: b.can };
    // The CAN itself stays out of the audit row (it is part of the ID number).
    return this.send(cmd, {
      actor: p,
      action: 'gate.can_entered',
      subjectType: 'gate',
      subjectId: `${b.gateId}/${b.laneId}`,
      siteId: b.siteId,
      detail: { commandId: cmd.commandId },
    });
  }
}
