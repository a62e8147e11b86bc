// 2-key 3DES for BAC. OpenSSL 3 moved single DES to the legacy provider, so single-DES steps use
// EDE with K1=K2 (which is mathematically single DES) via des-ede-cbc, still in the default provider.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { concat } from '../tlv/ber-tlv.js';
import { pad } from './padding.js';

const ZERO8 = new Uint8Array(8);

function run(decrypt: boolean, key16: Uint8Array, data: Uint8Array, iv: Uint8Array = ZERO8): Uint8Array {
  const c = decrypt ? createDecipheriv('des-ede-cbc', key16, iv) : createCipheriv('des-ede-cbc', key16, iv);
  c.setAutoPadding(false);
  return concat(c.update(data), c.final());
}

export function tdesEncrypt(key16: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  return run(false, key16, data, iv);
}

export function tdesDecrypt(key16: Uint8Array, data: Uint8Array, iv?: Uint8Array): Uint8Array {
  return run(true, key16, data, iv);
}

/** ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with DES; `data` must already be padded. */
export function retailMac(key16: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length === 0 || data.length % 8 !== 0) throw new RangeError('retail MAC input must be padded to 8 bytes');
  const k1 = key16.subarray(0, 8);
  const single = concat(k1, k1);
  let h: Uint8Array = ZERO8;
  if (data.length > 8) {
    const cbc = run(false, single, data.subarray(0, data.length - 8));
    h = cbc.subarray(cbc.length - 8);
  }
  // Final block: DES(K1) ∘ DES⁻¹(K2) ∘ DES(K1), i.e. 2-key EDE, chained on h.
  return run(false, key16, data.subarray(data.length - 8), h);
}

export function retailMacPadded(key16: Uint8Array, data: Uint8Array): Uint8Array {
  return retailMac(key16, pad(data, 8));
}

/** Sets the DES odd-parity bit of every byte (the worked examples use parity-adjusted keys). */
export function adjustParity(key: Uint8Array): Uint8Array {
  const out = Uint8Array.from(key);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]! & 0xfe;
    let ones = 0;
    for (let v = b; v; v >>= 1) ones += v & 1;
    out[i] = b | (ones % 2 === 0 ? 1 : 0);
  }
  return out;
}

export function sha1(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}
