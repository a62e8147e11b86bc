/**
 * npm run hub:gate-credentials -- --site trang-an --gate g1 [--gate g2 …] [--yaml]
 * npm run hub:gate-credentials -- --site trang-an --all       every gate of the site in the sites file
 * npm run hub:gate-credentials -- --list | --revoke --site S --gate G
 * Issues (or rotates) per-gate MQTT logins in the hub database and prints them once, as `gates[].mqtt`
 * for the edge config. A running hub with the embedded broker checks them at the next connect;
 * for Mosquitto or NATS, regenerate the broker's files with `npm run hub:broker-config` (`-- --broker nats`).
 */
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { SitesConfigSchema } from '../../../../libs/contracts/src/index.js';
import { ConfigError, loadYamlConfig } from '../../../../libs/config/src/load-yaml-config.js';
import { AuditService } from '../audit/audit.service.js';
import { MqttCredentialStore } from '../mqtt-auth/mqtt-credential-store.js';
import { openHubDatabase } from './open-hub-database.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      site: { type: 'string' },
      gate: { type: 'string', multiple: true, default: [] },
      all: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      revoke: { type: 'boolean', default: false },
    },
  });
  const { cfg, db } = await openHubDatabase();
  try {
    const store = new MqttCredentialStore(db);
    const audit = new AuditService(db);
    if (values.list) {
      for (const c of await store.listGates()) console.log(`${c.siteId}/${c.gateId}\t${c.username}\tissued ${c.createdAt}`);
      return;
    }
    const sites = loadYamlConfig(cfg.sitesFile, SitesConfigSchema);
    const site = sites.sites.find((s) => s.id === values.site);
    if (!site) throw new ConfigError(`--site must name a site of ${cfg.sitesFile} (${sites.sites.map((s) => s.id).join(', ')})`);
    const gateIds = values.all ? site.gates.map((g) => g.id) : values.gate!;
    if (!gateIds.length) throw new ConfigError('name gates with --gate (repeatable) or use --all');
    const unknown = gateIds.filter((g) => !site.gates.some((x) => x.id === g));
    if (unknown.length) throw new ConfigError(`not gates of ${site.id}: ${unknown.join(', ')}`);
    if (values.revoke) {
      for (const g of gateIds) {
        const done = await store.revokeGate(site.id, g);
        if (done)
          await audit.record({
            actor: 'cli',
            action: 'gate_credential.revoke',
            subjectType: 'gate',
            subjectId: `${site.id}/${g}`,
            siteId: site.id,
          });
        console.log(`${site.id}/${g}: ${done ? 'revoked' : 'had no credentials'}`);
      }
      return;
    }
    const gates = [];
    for (const g of gateIds) {
      const c = await store.issueGate(site.id, g);
      await audit.record({
        actor: 'cli',
        action: 'gate_credential.issue',
        subjectType: 'gate',
        subjectId: `${site.id}/${g}`,
        siteId: site.id,
      });
      gates.push({ id: g, mqtt: { username: c.username, password: c.password } });
    }
    console.log(`# MQTT logins for site ${site.id} (shown once; put them under gates[] of the edge config):`);
    console.log(stringify({ gates }));
  } finally {
    await db.destroy();
  }
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
