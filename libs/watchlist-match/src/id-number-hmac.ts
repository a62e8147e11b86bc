import { createHmac } from 'node:crypto';

/**
 * The CCCD number as HMAC-SHA256 (hex) under the deployment's matching key: hub and edges compare
 * numbers without holding them in clear, and the key never leaves the hub's key file and the edges.
 */
export function idNumberHmac(key: Uint8Array, idNumber: string): string {
  const digits = idNumber.replace(/\s+/g, '');
  if (!/^\d{12}$/.test(digits)) throw new RangeError('a CCCD number has 12 digits');
  return createHmac('sha256', key).update(digits, 'utf8').digest('hex');
}
