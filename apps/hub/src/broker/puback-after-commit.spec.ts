import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parser, type Packet } from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { PubackAfterCommit } from './puback-after-commit.js';

/** A stand-in connection: what PubackAfterCommit writes is parsed back as MQTT packets. */
function connection() {
  const stream = new PassThrough();
  const packets: Packet[] = [];
  const p = parser({ protocolVersion: 4 });
  p.on('packet', (pk) => packets.push(pk));
  stream.on('data', (b: Buffer) => p.parse(b));
  const client = { connected: true, stream } as unknown as Pick<MqttClient, 'connected' | 'stream'> & { connected: boolean };
  return { client, packets, tick: () => new Promise((r) => setImmediate(r)) };
}

test('PUBACKs written with mqtt-packet: well-formed, in arrival order, none after the connection reset, none while disconnected', async () => {
  const c = connection();
  const acks = new PubackAfterCommit(c.client);
  const m1 = acks.track(11);
  const m2 = acks.track(12);
  const m3 = acks.track(13);
  m2();
  await c.tick();
  assert.deepEqual(c.packets, [], 'm2 waits for m1');
  m1();
  await c.tick();
  assert.deepEqual(
    (c.packets as { cmd: string; messageId?: number }[]).map((p) => [p.cmd, p.messageId]),
    [
      ['puback', 11],
      ['puback', 12],
    ],
  );
  acks.reset();
  m3();
  await c.tick();
  assert.equal(c.packets.length, 2, 'a message of the closed connection is not acknowledged on the new one');
  const m4 = acks.track(14);
  c.client.connected = false;
  m4();
  await c.tick();
  assert.equal(c.packets.length, 2, 'nothing is written while disconnected');
});
