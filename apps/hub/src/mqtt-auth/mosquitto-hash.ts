import { pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * Mosquitto's password-file hash (`$7$<iterations>$<salt b64>$<hash b64>`, PBKDF2-SHA512, 12-byte
 * salt, 64-byte key), as `mosquitto_passwd` writes it. Gate passwords are 256 random bits, so the
 * iteration count guards nothing a dictionary could find; it only costs CPU at every connect.
 */
export async function mosquittoHash(password: string, iterations = 1000): Promise<string> {
  const salt = randomBytes(12);
  const key = await pbkdf2Async(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyMosquittoHash(hash: string, password: string): Promise<boolean> {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const iterations = Number(m[1]);
  if (!(iterations >= 1 && iterations <= 10_000_000)) return false;
  const want = Buffer.from(m[3]!, 'base64');
  const got = await pbkdf2Async(password, Buffer.from(m[2]!, 'base64'), iterations, want.length, 'sha512');
  return timingSafeEqual(want, got);
}
