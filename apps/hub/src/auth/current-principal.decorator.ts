import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal.js';

/** The principal the access guard put on the request. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!p) throw new Error('CurrentPrincipal on a route without an authenticated principal');
  return p;
});
