// The two secure-messaging cipher suites of ICAO 9303-11 §9.8: 3DES + retail MAC (BAC, 8-byte SSC)
// and AES + CMAC-8 (PACE, 16-byte SSC, IV = E(KSenc, SSC)).
import { aesCbcDecrypt, aesCbcEncrypt, aesCmac, aesEcbEncryptBlock } from '../crypto/aes.js';
import { retailMac, tdesDecrypt, tdesEncrypt } from '../crypto/des.js';
import { pad } from '../crypto/padding.js';

export interface SmCipher {
  readonly name: '3DES' | 'AES';
  readonly blockSize: number;
  encrypt(data: Uint8Array, ssc: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array, ssc: Uint8Array): Uint8Array;
  /** 8-byte MAC over pad(data). */
  mac(data: Uint8Array): Uint8Array;
}

export function tdesCipher(ksEnc: Uint8Array, ksMac: Uint8Array): SmCipher {
  return {
    name: '3DES',
    blockSize: 8,
    encrypt: (d) => tdesEncrypt(ksEnc, d),
    decrypt: (d) => tdesDecrypt(ksEnc, d),
    mac: (d) => retailMac(ksMac, pad(d, 8)),
  };
}

export function aesCipher(ksEnc: Uint8Array, ksMac: Uint8Array): SmCipher {
  const iv = (ssc: Uint8Array) => aesEcbEncryptBlock(ksEnc, ssc);
  return {
    name: 'AES',
    blockSize: 16,
    encrypt: (d, ssc) => aesCbcEncrypt(ksEnc, d, iv(ssc)),
    decrypt: (d, ssc) => aesCbcDecrypt(ksEnc, d, iv(ssc)),
    mac: (d) => aesCmac(ksMac, pad(d, 16)).subarray(0, 8),
  };
}
