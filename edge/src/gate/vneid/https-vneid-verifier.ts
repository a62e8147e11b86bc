import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { CccdQr } from '../../../../libs/cccd/src/index.js';
import { VneidVerifyResponseSchema, type VneidVerifyRequest } from './vneid-contract.schema.js';
import type { VneidCheck, VneidVerifier } from './vneid-verifier.js';
import type { VneidSettings } from './vneid-settings.schema.js';

/** Larger answers are not ours (the photo is ≤ 300 KB). */
const MAX_RESPONSE_BYTES = 1_000_000;

/**
 * The online VNeID check over HTTPS with mutual TLS. The request and response follow our own
 * contract (see vneid-contract.schema.ts), to be mapped to C06's API once access is granted.
 */
export class HttpsVneidVerifier implements VneidVerifier {
  private readonly tls: { cert?: Buffer; key?: Buffer; ca?: Buffer };

  constructor(
    private readonly cfg: VneidSettings,
    private readonly who: { siteId: string; gateId: string },
  ) {
    this.tls = {
      ...(cfg.certFile ? { cert: readFileSync(cfg.certFile) } : {}),
      ...(cfg.keyFile ? { key: readFileSync(cfg.keyFile) } : {}),
      ...(cfg.caFile ? { ca: readFileSync(cfg.caFile) } : {}),
    };
  }

  async verify(qr: CccdQr, signal: AbortSignal): Promise<VneidCheck> {
    const body: VneidVerifyRequest = {
      idNumber: qr.idNumber,
      fullName: qr.fullName,
      dateOfBirth: qr.dateOfBirth,
      dateOfIssue: qr.dateOfIssue,
      ...this.who,
    };
    let raw: { status: number; text: string };
    try {
      raw = await this.post(JSON.stringify(body), signal);
    } catch (e) {
      return { status: 'unavailable', reason: (e as Error).message.slice(0, 200) };
    }
    if (raw.status !== 200) return { status: 'unavailable', reason: `HTTP ${raw.status}` };
    let json: unknown;
    try {
      json = JSON.parse(raw.text);
    } catch {
      return { status: 'unavailable', reason: 'response is not JSON' };
    }
    const r = VneidVerifyResponseSchema.safeParse(json);
    if (!r.success)
      return {
        status: 'unavailable',
        reason: `response does not match the contract: ${r.error.issues
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')
          .slice(0, 160)}`,
      };
    const v = r.data;
    if (v.status === 'refused') return v;
    // The service must confirm the very identity the QR shows.
    if (v.idNumber !== qr.idNumber || v.dateOfBirth !== qr.dateOfBirth) return { status: 'refused', reason: 'identity_mismatch' };
    return {
      status: 'verified',
      idNumber: v.idNumber,
      fullName: v.fullName,
      dateOfBirth: v.dateOfBirth,
      ...(v.photoJpeg ? { photo: new Uint8Array(Buffer.from(v.photoJpeg, 'base64')) } : {}),
      ...(v.reference ? { reference: v.reference } : {}),
    };
  }

  private post(body: string, signal: AbortSignal): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.cfg.url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          ...this.tls,
          timeout: this.cfg.timeoutMs,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      // `timeout` is an idle timeout; the deadline covers the whole exchange.
      const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${this.cfg.timeoutMs} ms`)), this.cfg.timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.cfg.timeoutMs} ms`)));
      req.on('error', reject);
      req.on('close', () => clearTimeout(deadline));
      req.end(body);
    });
  }
}
