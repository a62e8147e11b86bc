/**
 * The export worker (worker_threads): one export, read through its own database connection and
 * formatted here, so the hub's main thread — gate ingest, PUBACKs, /health, every other request — is
 * never held by it. SQLite: a read-only better-sqlite3 connection of its own (WAL: it reads a snapshot
 * while the hub writes). PostgreSQL: one client of its own (the hub's pool stays for everything else;
 * the exports' connections are bounded by HUB_HEAVY_READS_TOTAL).
 *
 * The bytes go to the parent in chunks, each acknowledged once the response has taken it (`ack`), so a
 * slow client slows the reads here and memory stays at about one page.
 */
import Database from 'better-sqlite3';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { exportPageSql, type ExportRow } from './export-page-sql.js';
import type { ExportJob, FromWorker } from './export-job.js';
import { ExportWriter } from './export-writer.js';

const job = workerData as ExportJob;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);

/** The response as seen from here: each write waits for the parent's acknowledgement. */
class ToParent extends Writable {
  private waiting: ((e?: Error | null) => void) | null = null;

  constructor() {
    super({ highWaterMark: 256 * 1024 });
    port.on('message', (m: 'ack') => {
      if (m !== 'ack') return;
      const cb = this.waiting;
      this.waiting = null;
      cb?.();
    });
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.waiting = cb;
    // Copied, not transferred: small Buffers share Node's pool, which must not be detached.
    send({ t: 'data', buf: chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)) });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this._writev([{ chunk }], cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    send({ t: 'end' });
    cb();
  }
}

/** Below the hub's main thread for the CPU (Linux: a thread's own nice value); nothing else if not allowed. */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: the same priority as the main thread
  }
}

async function main(): Promise<void> {
  lowerPriority();
  let read: (sql: string, params: unknown[]) => Promise<ExportRow[]>;
  let close: () => Promise<void>;
  if (job.db.kind === 'sqlite') {
    const db = new Database(job.db.path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const statements = new Map<string, Database.Statement>();
    read = async (sql, params) => {
      let st = statements.get(sql);
      if (!st) statements.set(sql, (st = db.prepare(sql)));
      return st.all(...params) as ExportRow[];
    };
    close = async () => void db.close();
  } else {
    const client = new pg.Client({ connectionString: job.db.url, application_name: 'cong-hub-export' });
    await client.connect();
    read = async (sql, params) => (await client.query(sql, params)).rows as ExportRow[];
    close = () => client.end();
  }
  try {
    const names = { site: job.names.site, zones: new Map(job.names.zones), gates: new Map(job.names.gates) };
    const writer = new ExportWriter((after, limit) => {
      const { sql, params } = exportPageSql(job.db.kind === 'sqlite' ? 'sqlite' : 'postgres', job.q, after, limit);
      return read(sql, params);
    }, names);
    const out = new ToParent();
    const n = job.format === 'xlsx' ? await writer.writeXlsx(job.q, out) : await writer.writeCsv(job.q, out);
    // The writer has ended `out`; its last chunks may still wait for their acknowledgement (the port
    // must stay open for them), then `end` goes before `done`.
    await finished(out);
    send({ t: 'done', rows: n });
  } finally {
    await close().catch(() => undefined);
  }
}

main().then(
  () => port.close(),
  (e: Error) => {
    send({ t: 'error', message: e.message });
    port.close();
  },
);
