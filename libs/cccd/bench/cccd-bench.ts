// `npm run bench:cccd`: APDUs, bytes and ms of a full read + verification against the emulator, split by
// step, for each access method and chunk size (in-process, and through pcscd/vpcd when available),
// plus DG13 / EF.SOD parse throughput. Prints figures; asserts nothing.
import { CccdReader, type CccdReadResult } from '../src/reader/cccd-reader.js';
import { CscaTrustStore } from '../src/pa/trust-store.js';
import { InProcessTransport } from '../src/transport/in-process.js';
import { PcscMonitor } from '../src/transport/pcsc.js';
import { createTestCard, EmrtdApplet, ensurePcscd, VpcdLink } from '../src/emulator/index.js';
import { parseDg13 } from '../src/lds/dg13-vn.js';
import { parseSod } from '../src/lds/sod.js';
import { verifyPassive } from '../src/pa/passive-auth.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function table(title: string, results: CccdReadResult[]): void {
  console.log(`\n${title}  (mean of ${results.length} runs)`);
  console.log(`  ${'step'.padEnd(24)} ${'APDUs'.padStart(6)} ${'sent B'.padStart(8)} ${'recv B'.padStart(8)} ${'ms'.padStart(9)}`);
  const steps = results[0]!.steps.map((s) => s.step);
  for (const name of steps) {
    const xs = results.map((r) => r.steps.find((s) => s.step === name)!);
    const mean = (f: (s: (typeof xs)[number]) => number) => xs.reduce((a, s) => a + f(s), 0) / xs.length;
    console.log(
      `  ${name.padEnd(24)} ${mean((s) => s.apdus)
        .toFixed(0)
        .padStart(6)} ${mean((s) => s.bytesSent)
        .toFixed(0)
        .padStart(8)} ${mean((s) => s.bytesReceived)
        .toFixed(0)
        .padStart(8)} ${mean((s) => s.ms)
        .toFixed(2)
        .padStart(9)}`,
    );
  }
  const t = (f: (r: CccdReadResult) => number) => results.reduce((a, r) => a + f(r), 0) / results.length;
  console.log(
    `  ${'TOTAL'.padEnd(24)} ${t((r) => r.totals.apdus)
      .toFixed(0)
      .padStart(6)} ${t((r) => r.totals.bytesSent)
      .toFixed(0)
      .padStart(8)} ${t((r) => r.totals.bytesReceived)
      .toFixed(0)
      .padStart(8)} ${t((r) => r.totals.ms)
      .toFixed(2)
      .padStart(9)}`,
  );
}

function throughput(name: string, bytes: number, fn: () => void): void {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 1000) {
    fn();
    n++;
  }
  const s = (performance.now() - start) / 1000;
  console.log(
    `  ${name.padEnd(34)} ${(n / s).toFixed(0).padStart(8)} ops/s  ${((n * bytes) / s / 1e6).toFixed(1).padStart(7)} MB/s  (${bytes} B)`,
  );
}

async function main(): Promise<void> {
  const card = await createTestCard();
  const trustStore = new CscaTrustStore().add(card.csca.der);
  console.log(
    `test card: DG2 photo ${card.faceJpeg.length} B JPEG, SOD ${card.files.get(0x011d)!.length} B, DG13 ${card.dataGroups.get(13)!.length} B`,
  );

  const inProcess = async (label: string, key: Parameters<CccdReader['read']>[0], chunk: number, ext: boolean) => {
    const out: CccdReadResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = new CccdReader(new InProcessTransport(new EmrtdApplet(card, { extendedLength: ext }), ext), {
        trustStore,
        maxReadChunk: chunk,
      });
      out.push(await r.read(key));
    }
    table(label, out);
  };
  await inProcess('in-process, PACE-CAN (brainpoolP256r1, AES), short APDUs (223 B chunks)', { can: card.can }, 223, false);
  await inProcess('in-process, PACE-CAN, extended-length APDUs (4096 B chunks)', { can: card.can }, 4096, true);
  await inProcess('in-process, BAC (3DES), short APDUs', { mrz: card.mrzKey }, 223, false);

  try {
    const pcscd = await ensurePcscd();
    const monitor = await PcscMonitor.open();
    try {
      for (const [label, chunk] of [
        ['PC/SC via pcscd+vpcd, PACE-CAN, 4096 B chunks', 4096],
        ['PC/SC via pcscd+vpcd, PACE-CAN, 223 B chunks', 223],
      ] as const) {
        const link = new VpcdLink(new EmrtdApplet(card));
        await link.insert();
        const transport = await monitor.waitForCard(/^Virtual PCD/, 10000);
        const res = await new CccdReader(transport, { trustStore, maxReadChunk: chunk }).read({ can: card.can });
        await transport.close();
        await link.remove();
        await new Promise((r) => setTimeout(r, 300));
        table(`${label} (1 run; vpcd's TCP framing adds ~40 ms per APDU, see report)`, [res]);
      }
    } finally {
      monitor.close();
      await pcscd.stop();
    }
  } catch (e) {
    console.log(`\nPC/SC path skipped: ${(e as Error).message}`);
  }

  console.log('\nparse / verify throughput (1 s each):');
  const dg13 = card.dataGroups.get(13)!;
  const sod = card.files.get(0x011d)!;
  throughput('DG13 parse (typed, validated)', dg13.length, () => parseDg13(dg13));
  throughput('EF.SOD parse (CMS + LDS SO)', sod.length, () => parseSod(sod));
  throughput('passive auth (sig + chain + 5 DG hashes)', sod.length, () => verifyPassive(sod, card.dataGroups, { trustStore }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
