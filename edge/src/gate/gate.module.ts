import { Module } from '@nestjs/common';
import { GateLanesService } from './gate-lanes.service.js';

/** The gate decision lanes; imported by EdgeModule, takes the edge's config, outbox and links from EdgeCoreModule. */
@Module({ providers: [GateLanesService], exports: [GateLanesService] })
export class GateModule {}
