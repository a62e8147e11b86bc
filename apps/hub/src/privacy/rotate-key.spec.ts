import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { DataSource } from 'typeorm';
import { openTestHubDatabase } from '../../../../test/support/hub-database.js';
import { createTestDatabase } from '../../../../test/support/postgres.js';
import { placeholders } from '../database/sql-dialect.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { CiphertextError, DataCipher } from './data-cipher.js';
import { KeyRing } from './key-ring.js';
import { reencryptAll } from './reencrypt.js';

async function insert(db: DataSource, table: string, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row);
  await db.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${placeholders(db)(cols.length)})`, Object.values(row));
}

const flip = (ct: string) => {
  const [p, kid, body] = ct.split(':');
  const raw = Buffer.from(body!, 'base64');
  raw[raw.length - 1]! ^= 1;
  return `${p}:${kid}:${raw.toString('base64')}`;
};

/** Rows of every ciphertext column under k1 (one tampered, one legacy clear-text identity). */
async function seed(db: DataSource, c: DataCipher): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const id = `w${i}`;
    await insert(db, 'watchlist_entries', {
      id,
      site_id: 's1',
      list_kind: 'watchlist',
      full_name_enc: c.encrypt(`Người ${i}`, aad.entryName(id)),
      id_number_hmac: null,
      id_number_enc: c.encrypt(`00109900000${i}`, aad.entryIdNumber(id)),
      reason: '',
      severity: 'high',
      source: 'manual',
      created_at: 1,
      created_by: 't',
      updated_at: 1,
      updated_by: 't',
    });
    await insert(db, 'watchlist_templates', {
      entry_id: id,
      face_model: 'm',
      dims: 2,
      template_enc: c.encrypt(Buffer.from([i, 1, 2]), aad.template(id)),
      crop_enc: c.encrypt(Buffer.from('jpeg'), aad.crop(id)),
      created_at: 1,
    });
    const ev = `e${i}`;
    await insert(db, 'gate_events', {
      event_id: ev,
      site_id: 's1',
      zone_id: 'z1',
      gate_id: 'g1',
      direction: 'entry',
      source: 'card',
      occurred_at: 1,
      received_at: 1,
      identity_json: c.encrypt(JSON.stringify({ idNumber: `00109900000${i}` }), aad.eventIdentity(ev)),
    });
    const al = `a${i}`;
    const name = c.encrypt(`Người ${i}`, aad.alertName(al));
    await insert(db, 'alerts', {
      id: al,
      site_id: 's1',
      zone_id: 'z1',
      gate_id: 'g1',
      event_id: ev,
      entry_id: id,
      list_kind: 'watchlist',
      severity: 'high',
      match_kind: 'face',
      score: 0.9,
      full_name_enc: i === 3 ? flip(name) : name,
      reason: '',
      occurred_at: 1,
      raised_at: 1,
      status: 'open',
    });
  }
  await insert(db, 'dead_letters', {
    received_at: 1,
    topic: 't',
    reason: 'schema',
    detail: 'd',
    payload_bytes: 27,
    payload_excerpt: c.encrypt('{"idNumber":"001099000009"}', aad.deadLetter('dl1')),
    ref: 'dl1',
  });
  // Stored before identity was encrypted at rest.
  await insert(db, 'gate_events', {
    event_id: 'legacy',
    site_id: 's1',
    zone_id: 'z1',
    gate_id: 'g1',
    direction: 'entry',
    source: 'card',
    occurred_at: 1,
    received_at: 1,
    identity_json: '{"idNumber":"001099012345"}',
  });
}

async function scenario(databaseUrl?: string): Promise<void> {
  const { cfg, db } = await openTestHubDatabase(databaseUrl);
  try {
    const before = new DataCipher(KeyRing.load(cfg));
    await seed(db, before);
    const tampered: { full_name_enc: string }[] = await db.query(`SELECT full_name_enc FROM alerts WHERE id = 'a3'`);

    const cipher = new DataCipher(before.keyRing.rotated());
    assert.equal(cipher.keyRing.currentId, 'k2');
    const reports = await reencryptAll(db, cipher, { batch: 2 });
    const by = Object.fromEntries(reports.map((r) => [r.column, r]));
    for (const col of [
      'watchlist_entries.full_name_enc',
      'watchlist_entries.id_number_enc',
      'watchlist_templates.template_enc',
      'watchlist_templates.crop_enc',
    ])
      assert.deepEqual([by[col]!.reencrypted, by[col]!.failed], [5, []], col);
    assert.deepEqual([by['alerts.full_name_enc']!.reencrypted, by['alerts.full_name_enc']!.failed], [4, ['a3']]);
    assert.deepEqual([by['gate_events.identity_json']!.reencrypted, by['gate_events.identity_json']!.encrypted], [5, 1]);
    assert.deepEqual([by['dead_letters.payload_excerpt']!.reencrypted, by['dead_letters.payload_excerpt']!.failed], [1, []]);

    // A cipher loaded afresh from the key file reads everything under k2.
    const after = new DataCipher(KeyRing.load(cfg));
    const entries: { id: string; full_name_enc: string; id_number_enc: string }[] = await db.query(
      `SELECT id, full_name_enc, id_number_enc FROM watchlist_entries ORDER BY id`,
    );
    entries.forEach((e, i) => {
      assert.match(e.full_name_enc, /^g1:k2:/);
      assert.equal(after.decryptString(e.full_name_enc, aad.entryName(e.id)), `Người ${i}`);
      assert.equal(after.decryptString(e.id_number_enc, aad.entryIdNumber(e.id)), `00109900000${i}`);
    });
    const tpl: { entry_id: string; template_enc: string }[] = await db.query(
      `SELECT entry_id, template_enc FROM watchlist_templates ORDER BY entry_id`,
    );
    tpl.forEach((t, i) => assert.deepEqual([...after.decrypt(t.template_enc, aad.template(t.entry_id))], [i, 1, 2]));
    const events: { event_id: string; identity_json: string; id_number_hmac: string | null }[] = await db.query(
      `SELECT event_id, identity_json, id_number_hmac FROM gate_events ORDER BY event_id`,
    );
    for (const e of events) assert.match(e.identity_json, /^g1:k2:/, e.event_id);
    const legacy = events.find((e) => e.event_id === 'legacy')!;
    assert.deepEqual(JSON.parse(after.decryptString(legacy.identity_json, aad.eventIdentity('legacy'))), { idNumber: '001099012345' });
    assert.equal(legacy.id_number_hmac, after.idHmac('001099012345'), 'legacy identity now findable by HMAC');

    // The tampered value is left exactly as it was and is still refused.
    const a3: { full_name_enc: string }[] = await db.query(`SELECT full_name_enc FROM alerts WHERE id = 'a3'`);
    assert.equal(a3[0]!.full_name_enc, tampered[0]!.full_name_enc);
    assert.throws(() => after.decrypt(a3[0]!.full_name_enc, aad.alertName('a3')), CiphertextError);
    // Moving a (valid, new) ciphertext to another row is refused as before.
    const a0: { full_name_enc: string }[] = await db.query(`SELECT full_name_enc FROM alerts WHERE id = 'a0'`);
    assert.throws(() => after.decrypt(a0[0]!.full_name_enc, aad.alertName('a1')), /failed authentication/);

    // A second run has nothing left but the tampered value.
    const again = await reencryptAll(db, after);
    assert.deepEqual(
      again.map((r) => r.reencrypted + r.encrypted),
      [0, 0, 0, 0, 0, 0, 0],
    );
    const dl: { payload_excerpt: string }[] = await db.query(`SELECT payload_excerpt FROM dead_letters WHERE ref = 'dl1'`);
    assert.equal(after.decryptString(dl[0]!.payload_excerpt, aad.deadLetter('dl1')), '{"idNumber":"001099000009"}');

    // The hub's cipher still holding only k1 picks k2 up from the file when it meets it.
    assert.equal(before.decryptString(entries[0]!.full_name_enc, aad.entryName('w0')), 'Người 0');
    assert.equal(before.keyRing.currentId, 'k2');
  } finally {
    await db.destroy();
  }
}

test('rotate: old-kid rows become new-kid rows and still decrypt; tampering still detected (SQLite)', () => scenario());

test('rotate on PostgreSQL', async () => {
  const pg = await createTestDatabase();
  try {
    await scenario(pg.url);
  } finally {
    await pg.drop();
  }
});

test('npm run hub:rotate-key (the command): adds k2, re-encrypts, prints counts, audits', async () => {
  const { cfg, db, dir } = await openTestHubDatabase();
  try {
    await seed(db, new DataCipher(KeyRing.load(cfg)));
    const env = { ...process.env, SQLITE_PATH: cfg.sqlitePath, HUB_DATA_KEY_FILE: cfg.dataKeyFile, HUB_SITES_FILE: `${dir}/none.yaml` };
    const r = spawnSync(process.execPath, ['dist/apps/hub/src/cli/rotate-key.js', '--batch', '3'], { env, encoding: 'utf8' });
    assert.equal(r.status, 2, `tampered alert name → exit 2\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /data key k2 added to .* and made current \(was k1\)/);
    assert.match(r.stdout, /watchlist_templates\.template_enc\s+re-encrypted 5/);
    assert.match(r.stdout, /alerts\.full_name_enc\s+re-encrypted 4, FAILED 1: a3/);
    assert.match(r.stdout, /31 value\(s\) now under k2/);
    const audit: { action: string; subject_id: string }[] = await db.query(`SELECT action, subject_id FROM audit_log`);
    assert.deepEqual(audit, [{ action: 'data_key.rotate', subject_id: 'k2' }]);

    const envKeys = spawnSync(process.execPath, ['dist/apps/hub/src/cli/rotate-key.js'], {
      env: { ...env, HUB_DATA_KEY: `old:${Buffer.alloc(32, 7).toString('base64')}` },
      encoding: 'utf8',
    });
    assert.equal(envKeys.status, 1);
    assert.match(envKeys.stdout, /HUB_DATA_KEY=k2:[A-Za-z0-9+/=]{44},old:/);
  } finally {
    await db.destroy();
  }
});
