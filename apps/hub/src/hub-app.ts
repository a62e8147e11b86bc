import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, DocumentBuilder } from '@nestjs/swagger';
import express from 'express';
import { existsSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { HubConfig } from './config/hub-config.js';
import { HubModule } from './hub.module.js';
import { Logger as PinoLogger } from 'nestjs-pino';
import { HubMqtt } from './broker/hub-mqtt.service.js';
import { MqttIngestTransport } from './ingest/mqtt-ingest.transport.js';
import { RedisIoAdapter } from './cluster/redis-io.adapter.js';

export interface HubApp {
  app: INestApplication;
  url: string;
  /** Port of the embedded broker (0 when an external broker is used). */
  mqttPort: number;
  close(): Promise<void>;
}

/** The web app as `npm run build` (Vite) leaves it. */
const WEB_ROOT = resolve('dist/web');

/** Builds and starts the hub: REST, Socket.IO, the IOC page at `/`, OpenAPI at `/docs`. */
export async function startHub(
  cfg: HubConfig,
  logger: LogLevel[] | false = ['log', 'warn', 'error'],
  /** shutdownHooks: false when a supervisor (the demo) handles SIGINT/SIGTERM and closes the hub itself. */
  opts: { shutdownHooks?: boolean } = {},
): Promise<HubApp> {
  // No global body parser: the access guard reads JSON bodies after authentication, with a small limit
  // except on the photo routes (http/json-body.ts); form-encoded bodies are refused.
  const json = cfg.logFormat === 'json';
  const app = await NestFactory.create<NestExpressApplication>(
    HubModule.forConfig(cfg),
    json ? { bufferLogs: true, bodyParser: false } : { logger, bodyParser: false },
  );
  if (json) app.useLogger(app.get(PinoLogger));
  // Off unless HUB_TRUST_PROXY names the balancer: only then is X-Forwarded-For believed (req.ip is
  // then the client's address for login lockout, throttling and the audit log).
  app.set('trust proxy', cfg.trustProxy.length ? cfg.trustProxy : false);
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  if (cfg.redisUrl) app.useWebSocketAdapter(new RedisIoAdapter(app));
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cổng AI hub')
      .setDescription('Gate events, headcounts and live data')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, doc);
  serveWebApp(app);
  // Gate ingest: a NestJS microservice over MQTT (custom transport strategy, @EventPattern handlers in
  // IngestController), in the same process as the REST/Socket.IO side.
  app.connectMicroservice({ strategy: app.get(MqttIngestTransport) }, { inheritAppConfig: false });
  try {
    // Lifecycle hooks first (the embedded broker starts in one), then the ingest transport subscribes,
    // then HTTP: /health answers only once events can be received.
    await app.init();
    await app.startAllMicroservices();
    await app.listen(cfg.port, cfg.host);
  } catch (e) {
    // A start that fails (e.g. the broker's certificate refused) leaves no connection or timer behind.
    await app.close().catch(() => undefined);
    throw e;
  }
  const addr = app.getHttpServer().address() as AddressInfo;
  const url = `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${addr.port}`;
  return { app, url, mqttPort: app.get(HubMqtt).brokerPort, close: () => app.close() };
}

/**
 * The single-page web app: its hashed assets (cached for good) and, for any other page address a
 * browser opens (`/alerts`, `/wall`, …), its index.html; the router picks the screen. The old page
 * names still work (`/console.html` → `/console`, `/index.html` → `/`).
 */
function serveWebApp(app: INestApplication): void {
  const index = resolve(WEB_ROOT, 'index.html');
  const assets = resolve(WEB_ROOT, 'assets');
  app.use('/assets', (req: express.Request, res: express.Response, next: express.NextFunction) => {
    // Source maps are never served (a debugging build may still write them).
    if (req.path.endsWith('.map')) return res.status(404).type('text/plain').send('not found');
    // The build's precompressed copy (vite.config.ts) for a client that accepts it: brotli, else gzip.
    const file = resolve(assets, `.${req.path}`);
    if (!file.startsWith(assets + sep)) return next();
    res.vary('accept-encoding');
    // Brotli first whenever accepted (browsers list `gzip, deflate, br`: equal weights, the smaller wins).
    const enc = req.acceptsEncodings('br') === 'br' ? 'br' : req.acceptsEncodings('gzip') === 'gzip' ? 'gzip' : null;
    const ext = enc === 'br' ? '.br' : enc === 'gzip' ? '.gz' : null;
    if (ext && existsSync(file + ext)) {
      res.setHeader('content-encoding', enc as string);
      res.type(extname(req.path));
      req.url = req.url.replace(/^[^?]*/, (p) => p + ext);
    }
    return next();
  });
  app.use('/assets', express.static(assets, { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (req.method !== 'GET' || /^\/(api|socket\.io|docs|metrics|health)(\/|$|-)/.test(req.path)) return next();
    const legacy = { '/console.html': '/console', '/index.html': '/' }[req.path];
    if (legacy) return res.redirect(302, legacy + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : ''));
    if (!req.accepts('html')) return next();
    if (!existsSync(index)) return res.status(503).type('text/plain').send('The web app is not built: run `npm run build`.');
    res.setHeader('cache-control', 'no-cache');
    return res.sendFile(index);
  });
}
