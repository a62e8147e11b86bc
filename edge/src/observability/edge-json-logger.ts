import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { EdgeConfig } from '../config/edge-config.schema.js';

const LEVELS: Record<LogLevel, pino.Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * LOG_FORMAT=json on the gate agent: one JSON object per line (pino), with the service, the agent and
 * its site on every line, Nest's context as `context`, and the fields a caller logs as an object
 * (`{ msg, eventId, gateId }`) as fields of their own, so a fleet's logs can be searched by event id
 * from the gate to the hub (whose JSON lines carry the same ids).
 */
export class EdgeJsonLogger implements LoggerService {
  private readonly pino: Logger;

  constructor(cfg: Pick<EdgeConfig, 'agent' | 'site'>, opts: { level?: string; destination?: DestinationStream } = {}) {
    this.pino = pino(
      { level: opts.level ?? process.env.LOG_LEVEL ?? 'info', base: { service: 'cong-ai-edge', agent: cfg.agent.id, site: cfg.site.id } },
      opts.destination ?? pino.destination({ sync: false }),
    );
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context last (a string); an Error's stack comes before it for `error`.
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const stack = level === 'error' && rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    const fields: Record<string, unknown> = { context };
    if (stack) fields.stack = stack;
    if (message instanceof Error) this.pino[LEVELS[level]]({ ...fields, err: message }, message.message);
    else if (message && typeof message === 'object') {
      const { msg, ...more } = message as Record<string, unknown>;
      this.pino[LEVELS[level]]({ ...fields, ...more }, typeof msg === 'string' ? msg : '');
    } else this.pino[LEVELS[level]](fields, String(message));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Writes what is buffered (before the process exits). */
  flush(): void {
    this.pino.flush();
  }
}
