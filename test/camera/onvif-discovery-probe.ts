/**
 * Runs inside a private network namespace (see onvif-discovery.spec.ts): an ONVIF device emulator
 * answering WS-Discovery on the multicast group, then the edge's discovery and stream resolution
 * against what it found. Prints one JSON line with the result.
 */
import { discoverOnvifDevices, resolveOnvifStream } from '../../edge/src/camera/onvif-client.js';
import { OnvifEmulator } from './onvif-emulator.js';
import { WsDiscoveryResponder } from './ws-discovery-responder.js';

const streamUri = 'rtsp://127.0.0.1:8554/discovered';
const device = new OnvifEmulator({ username: 'viewer', password: 'secret', streamUri, width: 640, height: 360 });
const port = await device.start();
const responder = new WsDiscoveryResponder(`http://127.0.0.1:${port}/onvif/device_service`);
await responder.start();
try {
  const found = await discoverOnvifDevices(1500);
  const first = found[0];
  const stream = first ? await resolveOnvifStream({ host: first.host, port: first.port, username: 'viewer', password: 'secret' }) : null;
  console.log(JSON.stringify({ found, urn: responder.urn, probes: responder.probes, streamUri: stream?.streamUri ?? null }));
} finally {
  responder.stop();
  await device.stop();
}
