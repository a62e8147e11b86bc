import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { CodedError } from '../http/coded-error.js';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateUserSchema,
  UpdateUserSchema,
  UserInfoSchema,
  type CreateUser,
  type UpdateUser,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import { openApiSchema } from '../http/openapi-schema.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { Access } from './access.decorators.js';
import { CurrentPrincipal } from './current-principal.decorator.js';
import type { Principal } from './principal.js';
import { ADMIN } from './roles.js';
import { LoginFailures } from '../cluster/login-failures.js';
import { SocketAuth } from '../realtime/socket-auth.service.js';
import { SessionsService } from './sessions.service.js';
import { userInfo, UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly sockets: SocketAuth,
    private readonly failures: LoginFailures,
  ) {}

  @Get()
  @Access(ADMIN)
  @ApiOkResponse({ schema: openApiSchema(z.array(UserInfoSchema)) as never })
  list() {
    return this.users.list();
  }

  @Post()
  @Access(ADMIN)
  @ApiBody({ schema: openApiSchema(CreateUserSchema) as never })
  @ApiOkResponse({ schema: openApiSchema(UserInfoSchema) as never })
  async create(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(CreateUserSchema)) b: CreateUser) {
    const u = await this.users.create(b, b.mustChangePassword);
    await this.audit.record({
      actor: p,
      action: 'user.create',
      subjectType: 'user',
      subjectId: u.id,
      detail: { username: u.username, role: u.role, siteIds: b.siteIds },
    });
    return userInfo(u);
  }

  /** Role, grants, disable, password reset. Any change but a grant widening ends the user's sessions. */
  @Patch(':id')
  @Access(ADMIN)
  @ApiBody({ schema: openApiSchema(UpdateUserSchema) as never })
  @ApiOkResponse({ schema: openApiSchema(UserInfoSchema) as never })
  async update(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseIntPipe) id: number,
    @Body(new ZodPipe(UpdateUserSchema)) b: UpdateUser,
  ) {
    // An admin cannot lock themselves out (disable, or drop their own admin role).
    if (id === p.id && p.kind === 'user' && (b.disabled || (b.role && b.role !== 'admin')))
      throw new CodedError(409, 'cannot_delete_self', 'you cannot disable or demote yourself');
    const u = await this.users.update(id, b);
    // A reset also lifts the user's sign-in lockout from every address: the admin just handed them a password.
    if (b.password) await this.failures.clearUser(id);
    // Tokens carry role and grants, so any change ends the sessions that hold the old ones.
    await this.sessions.revokeUser(id);
    // …and their open sockets (live faces, alerts) at once, not when the access token expires.
    await this.sockets.disconnectWhere((s) => s.kind === 'user' && s.id === id);
    await this.audit.record({
      actor: p,
      action: 'user.update',
      subjectType: 'user',
      subjectId: id,
      detail: { ...b, password: b.password ? 'reset' : undefined },
    });
    return userInfo(u);
  }

  /** Deletes a user: sessions and sockets end at once; the audit log keeps what they did. Not oneself. */
  @Delete(':id')
  @HttpCode(204)
  @Access(ADMIN)
  async remove(@CurrentPrincipal() p: Principal, @Param('id', ParseIntPipe) id: number): Promise<void> {
    if (id === p.id && p.kind === 'user') throw new CodedError(409, 'cannot_delete_self', 'you cannot delete yourself');
    await this.sessions.revokeUser(id);
    await this.sockets.disconnectWhere((s) => s.kind === 'user' && s.id === id);
    const u = await this.users.remove(id);
    await this.audit.record({
      actor: p,
      action: 'user.delete',
      subjectType: 'user',
      subjectId: id,
      detail: { username: u.username, role: u.role },
    });
  }
}
