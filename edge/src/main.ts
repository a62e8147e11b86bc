import { parseArgs } from 'node:util';
import { loadYamlConfig, ConfigError } from '../../libs/config/src/load-yaml-config.js';
import { describeSchemaError } from '../../libs/contracts/src/index.js';
import { EdgeConfigSchema } from './config/edge-config.schema.js';
import { startEdge } from './edge-app.js';
import { EdgeJsonLogger } from './observability/edge-json-logger.js';
import { join } from 'node:path';
import { GateLanesService } from './gate/gate-lanes.service.js';
import { DemoEntrants } from './simulator/demo-entrants.js';
import { TrafficSimulator } from './simulator/traffic-simulator.js';

/**
 * Gate agent entry point.
 *   node dist/edge/src/main.js --config edge.yaml                  real sources
 *   node dist/edge/src/main.js --config edge.yaml --simulate --rate 20 [--gates N]
 *   node dist/edge/src/main.js --config edge.yaml --demo-entrants g2/l1 [--demo-media dir]   emulated CCCDs at a lane (demo)
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: process.env.EDGE_CONFIG ?? 'config/demo/edge.yaml' },
      simulate: { type: 'boolean', default: false },
      rate: { type: 'string', default: '5' },
      gates: { type: 'string' },
      limit: { type: 'string', default: '0' },
      'mqtt-url': { type: 'string' },
      'demo-entrants': { type: 'string' },
      'demo-media': { type: 'string', default: 'config/demo/media' },
    },
  });
  const cfg = loadYamlConfig(values.config!, EdgeConfigSchema);
  // One broker given on the command line (or MQTT_URL) replaces the config's url or urls.
  const mqttUrl = values['mqtt-url'] ?? process.env.MQTT_URL;
  if (mqttUrl) {
    const r = EdgeConfigSchema.shape.mqtt.safeParse({ ...cfg.mqtt, url: mqttUrl, urls: undefined });
    if (!r.success) throw new ConfigError(`--mqtt-url / MQTT_URL: ${describeSchemaError(r.error)}`);
    cfg.mqtt = r.data;
  }
  if (values.gates) {
    // Load generation: N synthetic gates spread over the configured zones.
    const n = Number(values.gates);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ConfigError('--gates must be an integer from 1 to 1000');
    cfg.gates = Array.from({ length: n }, (_, i) => ({
      id: `sim-g${i + 1}`,
      zone: cfg.zones[i % cfg.zones.length]!.id,
      name: `Sim gate ${i + 1}`,
      cameras: [],
    }));
  }
  // LOG_FORMAT=json: pino JSON lines (service, agent, site, event ids), as the hub writes them.
  const edge = await startEdge(cfg, process.env.LOG_FORMAT === 'json' ? new EdgeJsonLogger(cfg) : undefined, { shutdownHooks: false });
  // One ordered shutdown (EdgeShutdown) however it is asked for: SIGINT (Ctrl+C reaches the whole
  // process group), SIGTERM (a supervisor), or the IPC channel closing (the demo died). Signals that
  // arrive while it runs do not cut it short.
  let closing: Promise<void> | undefined;
  const generators: { stop(): void }[] = [];
  const shutdown = (why: string) => {
    if (closing) return;
    console.log(`edge agent: ${why}, shutting down`);
    // What feeds the lanes and the outbox in a demo stops first, then the edge's ordered shutdown.
    generators.forEach((g) => g.stop());
    closing = edge.close().then(
      () => process.exit(0),
      (e: Error) => {
        console.error(`edge agent: shutdown failed: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  if (process.send) process.once('disconnect', () => shutdown('supervisor gone'));
  if (values.simulate) {
    const rate = Number(values.rate);
    if (!(rate > 0 && rate <= 100_000)) throw new ConfigError('--rate must be a number of events per second, 0 < rate ≤ 100000');
    const sim = new TrafficSimulator(cfg, edge.outbox, { rate, limit: Number(values.limit) || 0 });
    sim.start();
    generators.push(sim);
    console.log(`traffic simulator: ${rate} events/s over ${cfg.gates.length} gate(s) of site ${cfg.site.id}`);
  }
  if (values['demo-entrants']) {
    const [gateId, laneId] = values['demo-entrants'].split('/');
    const lane = gateId && laneId ? edge.ctx.get(GateLanesService).lane(gateId, laneId) : undefined;
    if (!lane) throw new ConfigError(`--demo-entrants: no lane "${values['demo-entrants']}" (gate/lane) in ${values.config}`);
    // Chip photos shipped with the demo (config/demo/media, see NOTICE): the lane camera shows another photo of the holder.
    const media = values['demo-media']!;
    const entrants = new DemoEntrants(lane, { holder: join(media, 'holder-chip.jpg'), other: join(media, 'other-chip.jpg') });
    await entrants.start();
    generators.push(entrants);
  }
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
