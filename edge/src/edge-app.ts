import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import type { EdgeConfig } from './config/edge-config.schema.js';
import { EdgeModule } from './edge.module.js';
import { OutboxService } from './outbox/outbox.service.js';

export interface EdgeApp {
  ctx: INestApplicationContext;
  outbox: OutboxService;
  close(): Promise<void>;
}

/** Starts the gate agent as a Nest standalone application (no HTTP server on the gate). */
export async function startEdge(
  cfg: EdgeConfig,
  logger?: LoggerService | LogLevel[] | false,
  /** shutdownHooks: false when the caller handles signals itself (the agent's main). */
  opts: { shutdownHooks?: boolean } = {},
): Promise<EdgeApp> {
  const ctx = await NestFactory.createApplicationContext(EdgeModule.forConfig(cfg), { logger: logger ?? ['log', 'warn', 'error'] });
  if (opts.shutdownHooks !== false) ctx.enableShutdownHooks();
  await ctx.init();
  const outbox = ctx.get(OutboxService);
  return { ctx, outbox, close: () => ctx.close() };
}
