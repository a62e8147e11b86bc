import { parseArgs } from 'node:util';
import { loadYamlConfig, ConfigError } from '../../libs/config/src/load-yaml-config.js';
import { EdgeConfigSchema } from './config/edge-config.schema.js';
import { startEdge } from './edge-app.js';
import { join } from 'node:path';
import { GateLanesService } from './gate/gate-lanes.service.js';
import { DemoEntrants } from './simulator/demo-entrants.js';
import { TrafficSimulator } from './simulator/traffic-simulator.js';

/**
 * Gate agent entry point.
 *   node dist/edge/src/main.js --config edge.yaml                  real sources
 *   node dist/edge/src/main.js --config edge.yaml --simulate --rate 20 [--gates N]
 *   node dist/edge/src/main.js --config edge.yaml --demo-entrants g2/l1   emulated CCCDs at a lane (demo)
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
    },
  });
  const cfg = loadYamlConfig(values.config!, EdgeConfigSchema);
  if (values['mqtt-url'] ?? process.env.MQTT_URL) cfg.mqtt.url = (values['mqtt-url'] ?? process.env.MQTT_URL)!;
  if (values.gates) {
    // Load generation: N synthetic gates spread over the configured zones.
    const n = Number(values.gates);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ConfigError('--gates must be an integer from 1 to 1000');
    cfg.gates = Array.from({ length: n }, (_, i) => ({ id: `sim-g${i + 1}`, zone: cfg.zones[i % cfg.zones.length]!.id, name: `Sim gate ${i + 1}`, cameras: [] }));
  }
  const edge = await startEdge(cfg);
  // Started by a supervisor over IPC (the demo): when it dies, even by a signal, shut down cleanly with it.
  if (process.send) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  if (values.simulate) {
    const rate = Number(values.rate);
    if (!(rate > 0 && rate <= 100_000)) throw new ConfigError('--rate must be a number of events per second, 0 < rate ≤ 100000');
    const sim = new TrafficSimulator(cfg, edge.outbox, { rate, limit: Number(values.limit) || 0 });
    sim.start();
    console.log(`traffic simulator: ${rate} events/s over ${cfg.gates.length} gate(s) of site ${cfg.site.id}`);
  }
  if (values['demo-entrants']) {
    const [gateId, laneId] = values['demo-entrants'].split('/');
    const lane = gateId && laneId ? edge.ctx.get(GateLanesService).lane(gateId, laneId) : undefined;
    if (!lane) throw new ConfigError(`--demo-entrants: no lane "${values['demo-entrants']}" (gate/lane) in ${values.config}`);
    // Chip photos from the shared face set: the lane camera shows another photo of the holder.
    const faces = join(process.env.CG_SHARED_DIR ?? '../shared', 'faces');
    await new DemoEntrants(lane, { holder: join(faces, 'df01', '1.jpg'), other: join(faces, 'df03', '1.jpg') }).start();
  }
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
