import { Body, Controller, Delete, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  gateMqttName,
  GateCredentialInfoSchema,
  GateCredentialIssuedSchema,
  IssueGateCredentialSchema,
  type IssueGateCredential,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { HubMqtt } from '../broker/hub-mqtt.service.js';
import { Access } from '../auth/access.decorators.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ADMIN } from '../auth/roles.js';
import { openApiSchema } from '../http/openapi-schema.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { SiteRegistry } from '../registry/site-registry.service.js';
import { MqttCredentialStore } from './mqtt-credential-store.js';

/** Admin: per-gate MQTT logins. The password is in the issue answer only. */
@ApiTags('gate-credentials')
@ApiBearerAuth()
@Controller('api/gate-credentials')
export class GateCredentialsController {
  private readonly store: MqttCredentialStore;

  constructor(
    db: DataSource,
    private readonly registry: SiteRegistry,
    private readonly audit: AuditService,
    private readonly mqtt: HubMqtt,
  ) {
    this.store = new MqttCredentialStore(db);
  }

  @Get()
  @Access(ADMIN)
  @ApiOkResponse({ schema: openApiSchema(z.array(GateCredentialInfoSchema)) as never })
  list() {
    return this.store.listGates();
  }

  /** Issues (or rotates) the credentials of a registered gate. */
  @Post()
  @Access(ADMIN)
  @ApiBody({ schema: openApiSchema(IssueGateCredentialSchema) as never })
  @ApiOkResponse({ schema: openApiSchema(GateCredentialIssuedSchema) as never })
  async issue(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(IssueGateCredentialSchema)) b: IssueGateCredential) {
    if (!this.registry.gate(b.siteId, b.gateId)) throw new NotFoundException(`gate ${b.siteId}/${b.gateId} is not registered`);
    const c = await this.store.issueGate(b.siteId, b.gateId);
    this.mqtt.disconnectLogin(c.username);
    await this.audit.record({
      actor: p,
      action: 'gate_credential.issue',
      subjectType: 'gate',
      subjectId: `${b.siteId}/${b.gateId}`,
      siteId: b.siteId,
    });
    return c;
  }

  @Delete(':siteId/:gateId')
  @Access(ADMIN)
  async revoke(@CurrentPrincipal() p: Principal, @Param('siteId') siteId: string, @Param('gateId') gateId: string) {
    if (!(await this.store.revokeGate(siteId, gateId))) throw new NotFoundException(`gate ${siteId}/${gateId} has no credentials`);
    this.mqtt.disconnectLogin(gateMqttName(siteId, gateId));
    await this.audit.record({ actor: p, action: 'gate_credential.revoke', subjectType: 'gate', subjectId: `${siteId}/${gateId}`, siteId });
    return { revoked: true };
  }
}
