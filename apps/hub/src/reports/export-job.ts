import type { ExportQuery } from '../../../../libs/contracts/src/index.js';

/** What the export worker is given (workerData). */
export interface ExportJob {
  format: 'csv' | 'xlsx';
  q: ExportQuery;
  /** The site's names (Maps as entry lists: workerData is structured-cloned). */
  names: { site: string; zones: [string, string][]; gates: [string, string][] };
  db: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };
}

/** The worker's messages; the parent answers each `data` with `ack` once the response has taken it. */
export type FromWorker = { t: 'data'; buf: Uint8Array } | { t: 'end' } | { t: 'done'; rows: number } | { t: 'error'; message: string };
