import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { hubConfigFromEnv } from '../apps/hub/src/config/hub-config.js';
import { startHub } from '../apps/hub/src/hub-app.js';
import { generateClip } from './clips/clip-generator.js';
import { SEPARATE } from './clips/counting-scenarios.js';

/**
 * `npm start`: the hub on embedded defaults (SQLite file under ./data, the aedes broker) and one edge
 * agent as its own process, as on a real site. The edge runs config/demo/edge.yaml: gate g1's camera
 * loops a clip rendered from the sample footage, and its person detector, tracker and counting line
 * turn the people crossing into entry/exit events. DEMO_EDGE_ARGS="--simulate --rate 5" adds the
 * traffic simulator instead.
 */
const DEMO_CLIP = 'data/demo/corridor.mp4';

async function ensureDemoClip(): Promise<void> {
  if (existsSync(DEMO_CLIP)) return;
  console.log('rendering the demo camera clip from ../shared/video (once, a few seconds)…');
  mkdirSync('data/demo/work', { recursive: true });
  const clip = await generateClip('data/demo/work', 'corridor', SEPARATE);
  renameSync(clip.path, DEMO_CLIP);
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer().once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });

async function main(): Promise<void> {
  await ensureDemoClip();
  // 1883 is taken where Mosquitto already runs; the demo's embedded broker then takes a free port.
  const mqttPort = Number(process.env.EMBEDDED_MQTT_PORT ?? ((await portFree(1883)) ? 1883 : 0));
  const hub = await startHub(hubConfigFromEnv(process.env, { embeddedMqttPort: mqttPort, port: Number(process.env.PORT ?? 3000) }));
  const edgeArgs = process.env.DEMO_EDGE_ARGS?.split(' ').filter(Boolean) ?? [];
  const edge = spawn(process.execPath, ['dist/edge/src/main.js', '--config', process.env.EDGE_CONFIG ?? 'config/demo/edge.yaml', '--mqtt-url', `mqtt://127.0.0.1:${hub.mqttPort}`, ...edgeArgs], {
    stdio: 'inherit',
  });
  console.log(`\n  Cổng AI demo is running.\n  IOC wall:  ${hub.url}/\n  API docs:  ${hub.url}/docs\n  Metrics:   ${hub.url}/metrics\n  MQTT:      mqtt://127.0.0.1:${hub.mqttPort}\n  Stop with Ctrl+C.\n`);
  const stop = async () => {
    edge.kill('SIGTERM');
    await hub.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  edge.on('exit', (code) => code && console.error(`edge agent exited with code ${code}`));
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
