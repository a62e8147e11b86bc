import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication, LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, DocumentBuilder } from '@nestjs/swagger';
import express from 'express';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { HubConfig } from './config/hub-config.js';
import { HubModule } from './hub.module.js';
import { EmbeddedBroker } from './broker/embedded-broker.service.js';
import { RedisIoAdapter } from './cluster/redis-io.adapter.js';

export interface HubApp {
  app: INestApplication;
  url: string;
  /** Port of the embedded broker (0 when an external broker is used). */
  mqttPort: number;
  close(): Promise<void>;
}

const WEB_ROOT = resolve('apps/web/public');
const BROWSER_MODULES: Record<string, string> = {
  '/contracts/socket-events.js': resolve('dist/libs/contracts/src/socket-events.js'),
  '/vendor/echarts.min.js': resolve('node_modules/echarts/dist/echarts.min.js'),
  '/vendor/i18next.js': resolve('node_modules/i18next/dist/esm/i18next.js'),
};

/** Builds and starts the hub: REST, Socket.IO, the IOC page at `/`, OpenAPI at `/docs`. */
export async function startHub(
  cfg: HubConfig,
  logger: LogLevel[] | false = ['log', 'warn', 'error'],
  /** shutdownHooks: false when a supervisor (the demo) handles SIGINT/SIGTERM and closes the hub itself. */
  opts: { shutdownHooks?: boolean } = {},
): Promise<HubApp> {
  // No global body parser: the access guard reads JSON bodies after authentication, with a small limit
  // except on the photo routes (http/json-body.ts); form-encoded bodies are refused.
  const app = await NestFactory.create<NestExpressApplication>(HubModule.forConfig(cfg), { logger, bodyParser: false });
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  if (cfg.redisUrl) app.useWebSocketAdapter(new RedisIoAdapter(app));
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle('Cổng AI hub').setDescription('Gate events, headcounts and live data').setVersion('1').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, doc);
  // Browser modules served from the build and from npm packages: the page imports the same socket
  // event names the hub uses (compiled libs/contracts), and charts/i18n come from their packages.
  for (const [url, file] of Object.entries(BROWSER_MODULES))
    app.use(url, (_req: express.Request, res: express.Response) => res.type('application/javascript').sendFile(file));
  app.use(express.static(WEB_ROOT, { index: 'index.html', maxAge: 0 }));
  await app.listen(cfg.port, cfg.host);
  const addr = app.getHttpServer().address() as AddressInfo;
  const url = `http://${cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host}:${addr.port}`;
  return { app, url, mqttPort: app.get(EmbeddedBroker).port, close: () => app.close() };
}
