/**
 * npm run hub:rotate-key                      add a new current data key to the key file, then re-encrypt
 * npm run hub:rotate-key -- --reencrypt       only re-encrypt what is not under the current key (resume,
 *                                             or after putting a new key first in HUB_DATA_KEY)
 *     [--batch 500]
 * Re-encrypts every personal-data ciphertext still under an older key id, in batches, and prints the
 * counts per column. Values that fail authentication (tampered, or their key is gone) are listed and
 * left alone; the exit code is then 2. A running hub picks the new key up from the file when it first
 * meets a row under it; rows it wrote under the old key meanwhile are caught by a `--reencrypt` rerun.
 * Old keys stay in the file (backups need them) until you remove them yourself.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../../../libs/config/src/load-yaml-config.js';
import { AuditService } from '../audit/audit.service.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { KeyRing } from '../privacy/key-ring.js';
import { reencryptAll } from '../privacy/reencrypt.js';
import { openHubDatabase } from './open-hub-database.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reencrypt: { type: 'boolean', default: false }, batch: { type: 'string', default: '500' } } });
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1) throw new ConfigError('--batch must be a positive integer');
  const { cfg, db } = await openHubDatabase();
  try {
    let ring = KeyRing.load(cfg);
    if (!values.reencrypt) {
      if (!ring.file) {
        const id = `k${ring.ids.length + 1}`;
        console.log('The data keys come from HUB_DATA_KEY, which this command cannot change. To rotate:');
        console.log(`  1. put a new key first:  HUB_DATA_KEY=${id}:${randomBytes(32).toString('base64')},${cfg.dataKeys}`);
        console.log('  2. restart the hub with it (new data is then encrypted under the new key)');
        console.log('  3. run with the same environment:  npm run hub:rotate-key -- --reencrypt');
        process.exitCode = 1;
        return;
      }
      const old = ring.currentId;
      ring = ring.rotated();
      console.log(`data key ${ring.currentId} added to ${ring.file} and made current (was ${old})`);
    }
    const cipher = new DataCipher(ring);
    const t0 = Date.now();
    // Progress on a terminal only; logs get the summary.
    const tty = process.stdout.isTTY;
    const reports = await reencryptAll(db, cipher, {
      batch,
      onBatch: (r) => tty && process.stdout.write(`\r${r.column}: ${r.reencrypted + r.encrypted} …`.padEnd(72)),
    });
    if (tty) process.stdout.write('\r'.padEnd(73) + '\r');
    for (const r of reports)
      console.log(
        `${r.column.padEnd(34)} re-encrypted ${r.reencrypted}${r.encrypted ? `, encrypted (was clear text) ${r.encrypted}` : ''}${r.failed.length ? `, FAILED ${r.failed.length}: ${r.failed.slice(0, 10).join(', ')}${r.failed.length > 10 ? ' …' : ''}` : ''}`,
      );
    const total = reports.reduce((n, r) => n + r.reencrypted + r.encrypted, 0);
    const failed = reports.reduce((n, r) => n + r.failed.length, 0);
    console.log(
      `${total} value(s) now under ${ring.currentId} in ${((Date.now() - t0) / 1000).toFixed(1)} s${failed ? `; ${failed} could not be decrypted (tampered or key missing) and were left as they are` : ''}`,
    );
    await new AuditService(db).record({
      actor: 'cli',
      action: 'data_key.rotate',
      subjectType: 'data_key',
      subjectId: ring.currentId,
      detail: { reencrypted: total, failed, columns: Object.fromEntries(reports.map((r) => [r.column, r.reencrypted + r.encrypted])) },
    });
    if (failed) process.exitCode = 2;
  } finally {
    await db.destroy();
  }
}

main().catch((e: Error) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
