/**
 * npm run hub:mosquitto-config -- --out /etc/mosquitto/cong-ai
 *     [--tls-cert server.crt --tls-key server.key --tls-ca ca.crt [--tls-port 8883]] [--rotate-hub]
 * Writes a Mosquitto password file and ACL from the hub's gate credentials (the same rules the embedded
 * broker enforces), a conf include turning them on (and TLS), and — the first time or with
 * --rotate-hub — the hub's own broker login as hub.env (MQTT_USERNAME/MQTT_PASSWORD).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../../../libs/config/src/load-yaml-config.js';
import { aclFile, authConf, passwordFile, type MosquittoTls } from '../mqtt-auth/mosquitto-files.js';
import { MqttCredentialStore } from '../mqtt-auth/mqtt-credential-store.js';
import { openHubDatabase } from './open-hub-database.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'deploy/mosquitto/generated' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'tls-port': { type: 'string', default: '8883' },
      'rotate-hub': { type: 'boolean', default: false },
    },
  });
  const tlsParts = [values['tls-cert'], values['tls-key'], values['tls-ca']];
  if (tlsParts.some(Boolean) && !tlsParts.every(Boolean)) throw new ConfigError('TLS needs all of --tls-cert, --tls-key and --tls-ca');
  const tls: MosquittoTls | null = values['tls-cert'] ? { certFile: values['tls-cert'], keyFile: values['tls-key']!, caFile: values['tls-ca']!, port: Number(values['tls-port']) } : null;
  const { cfg, db } = await openHubDatabase();
  try {
    const store = new MqttCredentialStore(db);
    const hubUser = cfg.mqttUsername ?? 'hub';
    const out = values.out!;
    mkdirSync(out, { recursive: true });
    let rows = await store.all();
    if (values['rotate-hub'] || !rows.some((r) => r.kind === 'hub' && r.username === hubUser)) {
      const hub = await store.issueHub(hubUser);
      const scheme = tls ? `mqtts://<broker-host>:${tls.port}` : 'mqtt://<broker-host>:1883';
      writeFileSync(join(out, 'hub.env'), `# The hub's Mosquitto login (generated); MQTT_URL=${scheme}${tls ? ` MQTT_CA_FILE=${tls.caFile}` : ''}\nMQTT_USERNAME=${hub.username}\nMQTT_PASSWORD=${hub.password}\n`, { mode: 0o600 });
      console.log(`hub broker login "${hub.username}" written to ${join(out, 'hub.env')}`);
      rows = await store.all();
    }
    // Mosquitto drops to its own user before reading these; they hold hashes only.
    writeFileSync(join(out, 'passwd'), passwordFile(rows), { mode: 0o640 });
    writeFileSync(join(out, 'acl'), aclFile(rows), { mode: 0o640 });
    writeFileSync(join(out, 'cg-auth.conf'), authConf(out, tls));
    for (const f of ['passwd', 'acl']) chmodSync(join(out, f), 0o644);
    const gates = rows.filter((r) => r.kind === 'gate').length;
    console.log(`wrote ${out}/passwd, acl, cg-auth.conf: ${gates} gate login(s) + hub${tls ? `, TLS on :${tls.port}` : ''}`);
    console.log(`deploy/mosquitto/mosquitto.conf reads them from include_dir /etc/mosquitto/cong-ai (change it if --out differs); reload Mosquitto (SIGHUP)`);
  } finally {
    await db.destroy();
  }
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
