// End to end through the real PC/SC stack: CccdReader → @pokusew/pcsclite → pcscd → vpcd → TS emulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensurePcscd, type PcscdHandle } from '../emulator/pcscd-harness.js';
import { VpcdLink } from '../emulator/vpcd-link.js';
import { EmrtdApplet } from '../emulator/emrtd-applet.js';
import { createTestCard, type TestCard } from '../emulator/test-card.js';
import { CscaTrustStore } from '../pa/trust-store.js';
import { CccdReader } from '../reader/cccd-reader.js';
import { PcscMonitor, type CardEvent } from './pcsc.js';
import { CccdError } from '../errors.js';

const VIRTUAL = /^Virtual PCD 00 00/;
let pcscd: PcscdHandle;
let monitor: PcscMonitor;
let card: TestCard;

before(async () => {
  pcscd = await ensurePcscd();
  card = await createTestCard();
  monitor = await PcscMonitor.open();
});

after(async () => {
  monitor?.close();
  await pcscd?.stop();
});

function nextEvent(kind: 'card-inserted' | 'card-removed', ms = 10000): Promise<CardEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${kind} event`)), ms);
    monitor.once(kind, (e) => {
      clearTimeout(t);
      resolve(e);
    });
  });
}

test('the vpcd virtual reader is visible through pcscd', async () => {
  const name = await monitor.waitForReader(VIRTUAL, 10000);
  assert.match(name, VIRTUAL);
});

test('waiting for a card times out with a typed error when none is presented', async () => {
  await assert.rejects(monitor.waitForCard(VIRTUAL, 300), (e: unknown) => e instanceof CccdError && e.code === 'TIMEOUT');
});

test('insert → PACE-CAN read with extended-length APDUs → verified → remove', async () => {
  const applet = new EmrtdApplet(card);
  const link = new VpcdLink(applet);
  const inserted = nextEvent('card-inserted');
  await link.insert();
  const ev = await inserted;
  assert.match(ev.reader, VIRTUAL);
  assert.deepEqual(ev.atr, applet.atr);
  const transport = await monitor.waitForCard(VIRTUAL, 5000);
  const reader = new CccdReader(transport, { trustStore: new CscaTrustStore().add(card.csca.der), maxReadChunk: 4096 });
  const res = await reader.read({ can: card.can });
  assert.equal(res.genuine, true, res.passiveAuth.failures.join('; '));
  assert.equal(res.personal.fullName, 'Nguyễn Thị Thanh Hương');
  assert.equal(res.face?.bytes.length, card.faceJpeg.length);
  // With 4 KiB chunks DG2 needs far fewer APDUs than with short 223-byte reads.
  const dg2 = res.steps.find((s) => s.step === 'read DG2')!;
  assert.ok(dg2.apdus < Math.ceil(card.faceJpeg.length / 223), `DG2 took ${dg2.apdus} APDUs`);
  await transport.close();
  const removed = nextEvent('card-removed');
  await link.remove();
  assert.match((await removed).reader, VIRTUAL);
});

test('BAC over PC/SC with short APDUs, then card removal mid-session is a typed error', async () => {
  const applet = new EmrtdApplet(card);
  const link = new VpcdLink(applet);
  const inserted = nextEvent('card-inserted');
  await link.insert();
  await inserted;
  const transport = await monitor.waitForCard(VIRTUAL, 5000, { extendedLength: false });
  const reader = new CccdReader(transport, { trustStore: new CscaTrustStore().add(card.csca.der), readFace: false });
  const res = await reader.read({ mrz: card.mrzKey });
  assert.equal(res.accessMethod, 'BAC');
  assert.equal(res.genuine, true);
  const removed = nextEvent('card-removed');
  await link.remove();
  await removed;
  await assert.rejects(
    transport.transmit(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08), 2000),
    (e: unknown) => e instanceof CccdError && ['NO_CARD', 'TRANSPORT'].includes(e.code),
  );
  await transport.close();
});
