import bcrypt from 'bcryptjs';

/**
 * bcrypt (`$2b$`) hashes for nats-server's `authorization { users }`, the one password hash it accepts
 * there (anything else is compared as plain text). Gate and hub passwords are 256 random bits, so the
 * cost guards nothing a guess could find; it only costs the broker CPU at every connect (8: a few ms
 * per login).
 */
export const NATS_BCRYPT_COST = 8;

export function bcryptHash(password: string, cost = NATS_BCRYPT_COST): string {
  // bcrypt reads at most 72 bytes and ignores the rest: refuse rather than hash a shortened password.
  if (Buffer.byteLength(password, 'utf8') > 72) throw new Error('bcrypt uses at most 72 bytes of a password');
  return bcrypt.hashSync(password, cost);
}

/** Checks a password against a `$2a$`/`$2b$` hash (as nats-server does); false for anything else. */
export function bcryptVerify(hash: string, password: string): boolean {
  if (!/^\$2[ab]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)) return false;
  return bcrypt.compareSync(password, hash);
}
