// vpcd (Debian's 3.3) writes each frame's 2-byte length and its payload as two TCP sends without
// TCP_NODELAY, so Nagle holds the payload until the emulator ACKs the length — which Linux delays by
// 40 ms. That put ~44 ms on every APDU of the virtual reader (1.6 s per CCCD read), an artefact no
// real USB reader has. A loopback address whose route has `quickack` makes our side ACK at once;
// Node cannot set TCP_QUICKACK on a socket itself.
import { spawnSync } from 'node:child_process';

/** The loopback address the emulator reaches vpcd on (vpcd listens on all addresses). */
export const VPCD_QUICKACK_HOST = '127.0.0.2';

let outcome: boolean | undefined;

/**
 * Adds (idempotently) `local 127.0.0.2 dev lo table local quickack 1`. Needs CAP_NET_ADMIN; without
 * it the link still works, only with the 40 ms per APDU, and this says so once.
 */
export function ensureVpcdQuickAck(): boolean {
  if (outcome !== undefined) return outcome;
  const args = ['route', 'replace', 'local', VPCD_QUICKACK_HOST, 'dev', 'lo', 'table', 'local', 'quickack', '1'];
  const r = spawnSync('ip', args, { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
  outcome = r.status === 0;
  if (!outcome) {
    const why = r.error?.message ?? r.stderr.trim();
    process.emitWarning(`vpcd quickack route not set (${why}); the virtual reader adds ~40 ms per APDU`, 'CccdEmulatorWarning');
  }
  return outcome;
}
