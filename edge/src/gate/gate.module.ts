import { Module } from '@nestjs/common';
import { GateLanesService } from './gate-lanes.service.js';

/** The gate decision lanes; imported by EdgeModule, finds the edge's config, outbox and links at bootstrap. */
@Module({ providers: [GateLanesService], exports: [GateLanesService] })
export class GateModule {}
