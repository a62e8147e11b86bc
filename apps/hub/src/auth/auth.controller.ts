import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  ChangePasswordSchema,
  LoginRequestSchema,
  PrincipalInfoSchema,
  RefreshRequestSchema,
  TokenPairSchema,
  type ChangePassword,
  type LoginRequest,
  type RefreshRequest,
} from '../../../../libs/contracts/src/index.js';
import { CodedError } from '../http/coded-error.js';
import { AuditService } from '../audit/audit.service.js';
import { openApiSchema } from '../http/openapi-schema.js';
import { ZodPipe } from '../http/zod-query.pipe.js';
import { Access, AllowedBeforePasswordChange, Public } from './access.decorators.js';
import { CurrentPrincipal } from './current-principal.decorator.js';
import { verifyPassword } from './password-hasher.js';
import type { Principal } from './principal.js';
import { ALL_ROLES, USER_ROLES } from './roles.js';
import { SocketAuth } from '../realtime/socket-auth.service.js';
import { SessionsService } from './sessions.service.js';
import { UsersService } from './users.service.js';

const body = (s: Parameters<typeof openApiSchema>[0]) => ApiBody({ schema: openApiSchema(s) as never });

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly sockets: SocketAuth,
  ) {}

  /** Username + password → access token (short-lived) and refresh token. Throttled per IP, locked per username. */
  @Post('login')
  @HttpCode(200)
  @Public()
  @UseGuards(ThrottlerGuard)
  @body(LoginRequestSchema)
  @ApiOkResponse({ schema: openApiSchema(TokenPairSchema) as never })
  login(@Body(new ZodPipe(LoginRequestSchema)) b: LoginRequest, @Ip() ip: string) {
    return this.sessions.login(b.username, b.password, ip);
  }

  /** A refresh token → a new pair; the one presented is used up. */
  @Post('refresh')
  @HttpCode(200)
  @Public()
  @UseGuards(ThrottlerGuard)
  @body(RefreshRequestSchema)
  @ApiOkResponse({ schema: openApiSchema(TokenPairSchema) as never })
  refresh(@Body(new ZodPipe(RefreshRequestSchema)) b: RefreshRequest) {
    return this.sessions.refresh(b.refreshToken);
  }

  /**
   * Ends the session of this refresh token: it and the session's access tokens stop working. The refresh
   * token is the credential (a client whose access token expired can still log out); throttled per IP.
   */
  @Post('logout')
  @HttpCode(204)
  @Public()
  @UseGuards(ThrottlerGuard)
  @body(RefreshRequestSchema)
  async logout(@Body(new ZodPipe(RefreshRequestSchema)) b: RefreshRequest): Promise<void> {
    const session = await this.sessions.logout(b.refreshToken);
    if (session) await this.sockets.disconnectWhere((s) => s.sessionId === session);
  }

  /** Who the credential belongs to: role and sites. */
  @Get('me')
  @Access(ALL_ROLES)
  @AllowedBeforePasswordChange()
  @ApiBearerAuth()
  @ApiOkResponse({ schema: openApiSchema(PrincipalInfoSchema) as never })
  async me(@CurrentPrincipal() p: Principal) {
    // Read from the database, so a password changed in another tab is seen at once.
    const mustChangePassword = p.kind === 'user' ? ((await this.users.findById(p.id))?.mustChangePassword ?? false) : false;
    return { kind: p.kind, id: p.id, name: p.name, role: p.role, siteIds: p.siteIds, mustChangePassword };
  }

  /** Change one's own password; every session of the user ends. */
  @Post('password')
  @HttpCode(204)
  @Access(USER_ROLES)
  @AllowedBeforePasswordChange()
  @ApiBearerAuth()
  @body(ChangePasswordSchema)
  async changePassword(@CurrentPrincipal() p: Principal, @Body(new ZodPipe(ChangePasswordSchema)) b: ChangePassword): Promise<void> {
    const user = await this.users.findById(p.id);
    if (!user || !(await verifyPassword(user.passwordHash, b.currentPassword)))
      throw new CodedError(400, 'wrong_current_password', 'current password is wrong');
    await this.users.setPassword(user.id, b.newPassword);
    await this.sessions.revokeUser(user.id);
    await this.sockets.disconnectWhere((s) => s.kind === 'user' && s.id === user.id);
    await this.audit.record({ actor: p, action: 'user.password_change', subjectType: 'user', subjectId: user.id });
  }
}
