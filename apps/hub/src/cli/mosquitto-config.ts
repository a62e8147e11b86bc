/**
 * npm run hub:broker-config -- [--broker mosquitto] --out /etc/mosquitto/cong-ai
 *     [--tls-cert server.crt --tls-key server.key --tls-ca ca.crt [--tls-port 8883]] [--rotate-hub]
 * npm run hub:broker-config -- --broker nats --out /etc/nats/cong-ai [--rotate-hub]
 * (`npm run hub:mosquitto-config` is the same command.)
 * Mosquitto: writes a password file and ACL from the hub's gate credentials (the same rules the
 * embedded broker enforces) and a conf include turning them on (and TLS). NATS: writes cg-auth.conf,
 * the `authorization` block nats.conf includes (bcrypt hashes, per-login permissions from the same
 * rules). Both write — the first time or with --rotate-hub — the hub's own broker login as hub.env
 * (MQTT_USERNAME/MQTT_PASSWORD).
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../../../libs/config/src/load-yaml-config.js';
import { aclFile, authConf, passwordFile, type MosquittoTls } from '../mqtt-auth/mosquitto-files.js';
import { MqttCredentialStore } from '../mqtt-auth/mqtt-credential-store.js';
import { natsAuthConf, withoutNatsHash } from '../mqtt-auth/nats-files.js';
import { openHubDatabase } from './open-hub-database.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      broker: { type: 'string', default: 'mosquitto' },
      /** The group Mosquitto runs as (passwd and acl are 0640, root's or yours, in that group). */
      group: { type: 'string' },
      out: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-ca': { type: 'string' },
      'tls-port': { type: 'string', default: '8883' },
      'rotate-hub': { type: 'boolean', default: false },
    },
  });
  const broker = values.broker!;
  if (broker !== 'mosquitto' && broker !== 'nats') throw new ConfigError(`--broker must be mosquitto or nats, not "${broker}"`);
  const tlsParts = [values['tls-cert'], values['tls-key'], values['tls-ca']];
  if (tlsParts.some(Boolean) && !tlsParts.every(Boolean)) throw new ConfigError('TLS needs all of --tls-cert, --tls-key and --tls-ca');
  const tls: MosquittoTls | null = values['tls-cert']
    ? { certFile: values['tls-cert'], keyFile: values['tls-key']!, caFile: values['tls-ca']!, port: Number(values['tls-port']) }
    : null;
  if (broker === 'nats' && tls)
    throw new ConfigError(
      '--tls-* adds a Mosquitto listener; for NATS put the certificate into nats.conf (mqtt { tls { cert_file, key_file } })',
    );
  const { cfg, db } = await openHubDatabase();
  try {
    const store = new MqttCredentialStore(db);
    const hubUser = cfg.mqttUsername ?? 'hub';
    const out = values.out ?? `deploy/${broker}/generated`;
    mkdirSync(out, { recursive: true });
    let rows = await store.all();
    const hubRow = rows.find((r) => r.kind === 'hub' && r.username === hubUser);
    // Refused before anything is issued or written: logins NATS could not check.
    if (broker === 'nats') {
      const stale = withoutNatsHash(rows.filter((r) => r !== hubRow));
      if (stale.length) {
        throw new ConfigError(
          `issued before NATS support, so without a bcrypt hash NATS can check: ${stale.join(', ')}; issue them again (npm run hub:gate-credentials -- --site <site> --gate <gate>) and put the new passwords into the edge configs`,
        );
      }
      if (hubRow && !hubRow.natsPasswordHash && !values['rotate-hub']) {
        throw new ConfigError(
          `the hub's login "${hubUser}" was issued before NATS support and has no bcrypt hash NATS can check: run again with --rotate-hub (a new hub.env)`,
        );
      }
    }
    if (values['rotate-hub'] || !hubRow) {
      const hub = await store.issueHub(hubUser);
      const scheme = tls ? `mqtts://<broker-host>:${tls.port}` : 'mqtt://<broker-host>:1883';
      writeFileSync(
        join(out, 'hub.env'),
        `# The hub's ${broker === 'nats' ? 'NATS' : 'Mosquitto'} login (generated); MQTT_URL=${scheme}${tls ? ` MQTT_CA_FILE=${tls.caFile}` : ''}\nMQTT_USERNAME=${hub.username}\nMQTT_PASSWORD=${hub.password}\n`,
        { mode: 0o600 },
      );
      console.log(`hub broker login "${hub.username}" written to ${join(out, 'hub.env')}`);
      rows = await store.all();
    }
    if (broker === 'nats') {
      // Hashes only (bcrypt), readable by the server's own user.
      writeFileSync(join(out, 'cg-auth.conf'), natsAuthConf(rows), { mode: 0o644 });
      const gates = rows.filter((r) => r.kind === 'gate').length;
      console.log(`wrote ${out}/cg-auth.conf: ${gates} gate login(s) + hub, MQTT-only, permissions from the hub's ACL`);
      console.log(
        `deploy/nats/nats.conf includes it as "cong-ai/cg-auth.conf" (relative to nats.conf: --out <nats.conf's directory>/cong-ai); reload every node (nats-server --signal reload)`,
      );
      return;
    }
    // Mosquitto drops to its own user before reading these. Hashes only, yet not for every local user
    // to copy and crack offline: 0640, in Mosquitto's group (`--group`, else the local `mosquitto`
    // group, else gid 1883 of the eclipse-mosquitto image).
    writeFileSync(join(out, 'passwd'), passwordFile(rows), { mode: 0o640 });
    writeFileSync(join(out, 'acl'), aclFile(rows), { mode: 0o640 });
    writeFileSync(join(out, 'cg-auth.conf'), authConf(out, tls));
    const gid = mosquittoGid(values.group);
    for (const f of ['passwd', 'acl']) {
      chmodSync(join(out, f), 0o640);
      try {
        chownSync(join(out, f), -1, gid);
      } catch (e) {
        console.warn(
          `could not give ${f} to group ${gid} (${(e as Error).message}): run \`chgrp ${gid} ${join(out, f)}\` as root, or Mosquitto cannot read it`,
        );
      }
    }
    const gates = rows.filter((r) => r.kind === 'gate').length;
    console.log(`wrote ${out}/passwd, acl, cg-auth.conf: ${gates} gate login(s) + hub${tls ? `, TLS on :${tls.port}` : ''}`);
    console.log(
      `deploy/mosquitto/mosquitto.conf reads them from include_dir /etc/mosquitto/cong-ai (change it if --out differs); reload Mosquitto (SIGHUP)`,
    );
  } finally {
    await db.destroy();
  }
}

/** A group name or id → gid: the given one, else the local `mosquitto` group, else 1883 (the eclipse-mosquitto image's). */
function mosquittoGid(group: string | undefined): number {
  if (group && /^\d+$/.test(group)) return Number(group);
  const name = group ?? 'mosquitto';
  let groups = '';
  try {
    groups = readFileSync('/etc/group', 'utf8');
  } catch {
    // not a Unix system with /etc/group
  }
  const line = groups.split('\n').find((l) => l.startsWith(`${name}:`));
  if (line) return Number(line.split(':')[2]);
  if (group) throw new ConfigError(`--group ${group}: no such group in /etc/group`);
  return 1883;
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
