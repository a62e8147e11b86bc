import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { HubConfig } from '../config/hub-config.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * LOG_FORMAT=json: every log line is a JSON object (pino) naming the service and the hub instance;
 * HTTP requests carry a request id (the caller's `x-request-id` when it looks like one, else a new
 * UUID), returned in the response header and bound to every line logged while serving the request.
 * Credentials never reach the log.
 */
export const jsonLogging = (cfg: HubConfig) =>
  LoggerModule.forRoot({
    pinoHttp: {
      level: cfg.logLevel,
      base: { service: 'cong-ai-hub', instance: cfg.instanceId },
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // On every line logged while serving the request, not only on the request's own line.
      customProps: (req: IncomingMessage & { id?: unknown }) => ({ requestId: req.id }),
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
      // Health probes and metric scrapes every few seconds would drown the rest.
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
    },
  });
