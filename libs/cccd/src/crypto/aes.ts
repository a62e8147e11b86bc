// AES-CBC and AES-CMAC (NIST SP 800-38B) for PACE and AES secure messaging.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { concat } from '../tlv/ber-tlv.js';

function algo(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  return `aes-${key.length * 8}-${mode}`;
}

export function aesCbcEncrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = new Uint8Array(16)): Uint8Array {
  const c = createCipheriv(algo(key, 'cbc'), key, iv);
  c.setAutoPadding(false);
  return concat(c.update(data), c.final());
}

export function aesCbcDecrypt(key: Uint8Array, data: Uint8Array, iv: Uint8Array = new Uint8Array(16)): Uint8Array {
  const c = createDecipheriv(algo(key, 'cbc'), key, iv);
  c.setAutoPadding(false);
  return concat(c.update(data), c.final());
}

export function aesEcbEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv(algo(key, 'ecb'), key, null);
  c.setAutoPadding(false);
  return concat(c.update(block), c.final());
}

function shiftLeft(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

/** Full 16-byte AES-CMAC; eMRTD protocols truncate it to 8 bytes. */
export function aesCmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const l = aesEcbEncryptBlock(key, new Uint8Array(16));
  const k1 = shiftLeft(l);
  const k2 = shiftLeft(k1);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const last = new Uint8Array(16);
  const tail = msg.subarray((n - 1) * 16);
  last.set(tail);
  if (!complete) last[tail.length] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i]! ^= sub[i]!;
  const body = concat(msg.subarray(0, (n - 1) * 16), last);
  const cbc = aesCbcEncrypt(key, body);
  return cbc.subarray(cbc.length - 16);
}
