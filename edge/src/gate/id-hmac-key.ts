import { readFileSync, statSync } from 'node:fs';
import type { LaneConfig, SitePolicy } from './lane-config.schema.js';

/** A key that is there but unusable: the agent refuses to start rather than match nothing. */
export class IdHmacKeyError extends Error {}

/**
 * The hub's ID-number HMAC key (HUB_ID_HMAC_KEY, base64 of 32 bytes) from `gate.idHmacKeyFile` or env
 * CG_ID_HMAC_KEY; undefined when neither is set. A key of the wrong size, or a key file other users can
 * read, is refused: the edge keeps no ID numbers in clear, and this key is what would turn its HMACs
 * back into them.
 */
export function loadIdHmacKey(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  let b64: string | undefined;
  let from: string;
  if (file) {
    from = `gate.idHmacKeyFile ${file}`;
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new IdHmacKeyError(`${from} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
    b64 = readFileSync(file, 'utf8').trim();
  } else {
    from = 'CG_ID_HMAC_KEY';
    b64 = env.CG_ID_HMAC_KEY?.trim() || undefined;
  }
  if (b64 === undefined) return undefined;
  const key = Buffer.from(b64, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(b64) || key.length !== 32)
    throw new IdHmacKeyError(`${from} must be the hub's HUB_ID_HMAC_KEY: base64 of 32 bytes`);
  return key;
}

/**
 * Whether a lane ever checks an ID number (CCCD chip, card QR, VNeID QR): every station lane, and any
 * lane with a reader or QR input. Count-only (tourist without reader) and face-only (industrial
 * allowlist) lanes do not, and run without the key.
 */
export function checksIdNumbers(policy: SitePolicy, lane: LaneConfig): boolean {
  return policy === 'station' || lane.reader !== undefined || lane.qr.length > 0;
}
