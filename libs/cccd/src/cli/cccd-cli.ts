#!/usr/bin/env node
// Operator tool: `cccd read --can 123456 [--csca file|dir|.ml]... [--json]` reads and verifies a card in
// a PC/SC reader; `cccd emulate` attaches a generated test card to pcscd's vpcd reader for demos.
import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CccdReader, type AccessKey } from '../reader/cccd-reader.js';
import { CscaTrustStore } from '../pa/trust-store.js';
import { PcscMonitor } from '../transport/pcsc.js';
import { accessFromQr, parseCccdQr } from '../qr/cccd-qr.js';
import { decodeQrFromImage } from '../qr/qr-decode.js';
import { CccdError } from '../errors.js';

const USAGE = `usage:
  cccd read (--can NNNNNN | --mrz DOCNO,YYMMDD,YYMMDD | --qr IMAGE) [--csca PATH]... [--reader REGEX]
            [--json] [--timeout MS] [--accept-expired-ds] [--face-out FILE]
  cccd emulate [--csca-out DIR] [--bac-only]   attach a generated test card to the vpcd reader`;

async function read(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      can: { type: 'string' },
      mrz: { type: 'string' },
      qr: { type: 'string' },
      csca: { type: 'string', multiple: true },
      reader: { type: 'string' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      'accept-expired-ds': { type: 'boolean' },
      'face-out': { type: 'string' },
    },
  });
  let key: AccessKey;
  if (values.can) key = { can: values.can };
  else if (values.mrz) {
    const [documentNumber = '', dateOfBirth = '', dateOfExpiry = ''] = values.mrz.split(',');
    key = { mrz: { documentNumber, dateOfBirth, dateOfExpiry } };
  } else if (values.qr) key = { can: accessFromQr(parseCccdQr(await decodeQrFromImage(values.qr))).can };
  else {
    console.error(USAGE);
    return 64;
  }
  const trustStore = CscaTrustStore.fromPaths(values.csca ?? []);
  const monitor = await PcscMonitor.open();
  try {
    const timeout = Number(values.timeout ?? 30000);
    if (!values.json) console.error(`waiting up to ${timeout} ms for a card…`);
    const transport = await monitor.waitForCard(values.reader ? new RegExp(values.reader) : /./, timeout);
    try {
      const res = await new CccdReader(transport, {
        trustStore,
        ...(values['accept-expired-ds'] ? { expiredDocumentSigner: 'accept' as const } : {}),
      }).read(key);
      if (values['face-out'] && res.face) writeFileSync(values['face-out'], res.face.bytes);
      if (values.json)
        console.log(
          JSON.stringify(
            { ...res, face: res.face ? { ...res.face, bytes: Buffer.from(res.face.bytes).toString('base64') } : undefined },
            null,
            2,
          ),
        );
      else {
        const p = res.personal;
        console.log(`${res.genuine ? 'GENUINE' : 'NOT GENUINE'} (${res.accessMethod}, reader ${transport.readerName})`);
        console.log(
          `  Số CCCD:       ${p.idNumber ?? '?'}\n  Họ và tên:     ${p.fullName ?? '?'}\n  Ngày sinh:     ${p.dateOfBirth ?? '?'}  Giới tính: ${p.sex ?? '?'}`,
        );
        console.log(
          `  Quê quán:      ${p.placeOfOrigin ?? '?'}\n  Nơi thường trú: ${p.placeOfResidence ?? '?'}\n  Có giá trị đến: ${p.dateOfExpiry ?? '?'}`,
        );
        console.log(`  MRZ: ${res.mrz.lines.join(' / ')}`);
        console.log(`  passive auth: ${JSON.stringify(res.passiveAuth.checks)}`);
        if (res.activeAuth) console.log(`  active auth: ${res.activeAuth.passed ? 'passed' : 'FAILED'} (${res.activeAuth.algorithm})`);
        for (const f of res.passiveAuth.failures) console.log(`  ✗ ${f}`);
        for (const s of res.steps)
          console.log(
            `  ${s.step.padEnd(24)} ${String(s.apdus).padStart(4)} APDUs ${String(s.bytesSent + s.bytesReceived).padStart(7)} B ${s.ms.toFixed(1).padStart(8)} ms`,
          );
      }
      return res.genuine ? 0 : 2;
    } finally {
      await transport.close();
    }
  } finally {
    monitor.close();
  }
}

async function emulate(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'csca-out': { type: 'string' }, 'bac-only': { type: 'boolean' } } });
  const { createTestCard, EmrtdApplet, VpcdLink } = await import('../emulator/index.js');
  const card = await createTestCard();
  const dir = values['csca-out'] ?? 'tmp/cccd-emulator';
  mkdirSync(dir, { recursive: true });
  const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(card.csca.der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  writeFileSync(join(dir, 'csca.pem'), pem);
  const link = new VpcdLink(new EmrtdApplet(card, { extendedLength: !values['bac-only'] }));
  await link.insert();
  console.log(
    `test CCCD inserted in the vpcd reader: CAN ${card.can}, MRZ ${card.mrzKey.documentNumber},${card.mrzKey.dateOfBirth},${card.mrzKey.dateOfExpiry}`,
  );
  console.log(`trust its CSCA with: --csca ${join(dir, 'csca.pem')}   (Ctrl-C removes the card)`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await link.remove();
  return 0;
}

const [cmd, ...rest] = process.argv.slice(2);
const run = cmd === 'read' ? read : cmd === 'emulate' ? emulate : undefined;
if (!run) {
  console.error(USAGE);
  process.exit(64);
}
run(rest).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof CccdError ? `error [${e.code}]: ${e.message}` : e);
    process.exit(1);
  },
);
