import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../test/support/ports.js';
import { ActuatorConfigSchema, type ActuatorConfigInput } from './actuator-config.schema.js';
import { createActuator } from './create-actuator.js';
import { DoorMonitor, type DoorAlarm } from './door-monitor.js';
import { SimulatedActuator } from './simulated-actuator.js';

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const cfg = (c: ActuatorConfigInput) => ActuatorConfigSchema.parse(c);

test('simulator records every pulse; overlapping grants extend the release; door alarms: forced and held open', async () => {
  const sim = createActuator(cfg({ id: 'a', kind: 'simulator', pulseMs: 100 })) as SimulatedActuator;
  await sim.init();
  const alarms: DoorAlarm[] = [];
  const mon = new DoorMonitor(sim, { heldOpenMs: 150, graceMs: 300 }, (a) => alarms.push(a));
  await sim.release(100);
  mon.granted(Date.now() + 100);
  await sim.release(100);
  assert.equal(sim.pulses.length, 2);
  assert.equal(sim.released, true);
  await until(() => !sim.released);
  sim.setDoor(true); // the grant just ended: the grace still covers it
  sim.setDoor(false);
  await new Promise((r) => setTimeout(r, 500));
  sim.setDoor(true); // long after: forced
  await until(() => alarms.includes('door_held_open'));
  assert.deepEqual(alarms, ['door_forced', 'door_held_open']);
  mon.stop();
  await sim.close();
});

test('Modbus TCP: fail-secure writes the coil ON for the pulse then OFF; fail-safe the reverse; door input polled; a dead controller is an error, not a crash', async () => {
  const { ServerTCP } = createRequire(import.meta.url)('modbus-serial') as {
    ServerTCP: new (v: object, o: object) => { close(cb: () => void): void; on(e: string, l: () => void): void };
  };
  const coils: boolean[] = [];
  const writes: [number, boolean][] = [];
  let door = false;
  const port = await freePort();
  const server = new ServerTCP(
    {
      getCoil: (addr: number) => coils[addr] ?? false,
      setCoil: (addr: number, v: boolean) => {
        coils[addr] = v;
        writes.push([addr, v]);
      },
      getDiscreteInput: (addr: number) => (addr === 3 ? door : false),
      getInputRegister: () => 0,
      getHoldingRegister: () => 0,
    },
    { host: '127.0.0.1', port, unitID: 1 },
  );
  await new Promise<void>((r) => server.on('initialized', () => r()));
  try {
    const secure = createActuator(
      cfg({ id: 'm', kind: 'modbus', host: '127.0.0.1', port, coil: 5, doorInput: 3, pulseMs: 80, pollMs: 50 }),
    );
    const seen: boolean[] = [];
    secure.onDoor((c) => seen.push(c.open));
    await secure.init();
    assert.deepEqual(writes, [[5, false]], 'init drives the locked level');
    await secure.release(80);
    assert.equal(coils[5], true, 'released while the pulse lasts');
    await until(() => coils[5] === false);
    door = true;
    await until(() => seen.includes(true));
    await secure.close();

    const safe = createActuator(cfg({ id: 'm2', kind: 'modbus', host: '127.0.0.1', port, coil: 6, mode: 'fail-safe', pulseMs: 60 }));
    await safe.init();
    assert.equal(coils[6], true, 'fail-safe rests energised (locked)');
    await safe.release(60);
    assert.equal(coils[6], false);
    await until(() => coils[6] === true);
    await safe.close();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  const dead = createActuator(cfg({ id: 'd', kind: 'modbus', host: '127.0.0.1', port: await freePort(), coil: 1, timeoutMs: 300 }));
  await assert.rejects(dead.release(100), /modbus 127\.0\.0\.1/);
  await dead.close();
});

test('HTTP relay board: release then lock request, door contact from the status URL, HTTP errors reported', async () => {
  const calls: string[] = [];
  let status = '{"door":"closed"}';
  let fail = false;
  const server = createServer((req, res) => {
    calls.push(req.url!);
    if (fail) return void res.writeHead(500).end();
    res.end(req.url === '/status' ? status : 'OK');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const relay = createActuator(
      cfg({
        id: 'h',
        kind: 'http',
        releaseUrl: `${base}/relay/1/on`,
        lockUrl: `${base}/relay/1/off`,
        statusUrl: `${base}/status`,
        pulseMs: 60,
        pollMs: 50,
      }),
    );
    const seen: boolean[] = [];
    relay.onDoor((c) => seen.push(c.open));
    await relay.init();
    await relay.release(60);
    await until(() => calls.filter((c) => c === '/relay/1/off').length === 2);
    assert.deepEqual(
      calls.filter((c) => c.startsWith('/relay')),
      ['/relay/1/off', '/relay/1/on', '/relay/1/off'],
    );
    status = '{"door":"open"}';
    await until(() => seen.includes(true));
    fail = true;
    await assert.rejects(relay.release(60), /HTTP 500/);
    await relay.close();
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('GPIO (libgpiod tools): line levels per mode, door edges from gpiomon; a missing chip fails cleanly', async () => {
  // This machine has no /dev/gpiochip*: the tools are replaced by recorders that log their arguments.
  const dir = mkdtempSync(join(tmpdir(), 'cg-gpio-'));
  const log = join(dir, 'calls.log');
  const gpioset = join(dir, 'gpioset');
  const gpiomon = join(dir, 'gpiomon');
  writeFileSync(gpioset, `#!/bin/sh\necho "gpioset $*" >> ${log}\n`);
  writeFileSync(gpiomon, `#!/bin/sh\necho "gpiomon $*" >> ${log}\necho "1 1700000000"\nsleep 5\n`);
  chmodSync(gpioset, 0o755);
  chmodSync(gpiomon, 0o755);
  const gpio = createActuator(
    cfg({ id: 'g', kind: 'gpio', chip: 'gpiochip0', line: 17, doorLine: 27, pulseMs: 60, gpiosetPath: gpioset, gpiomonPath: gpiomon }),
  );
  const seen: boolean[] = [];
  gpio.onDoor((c) => seen.push(c.open));
  await gpio.init();
  await gpio.release(60);
  await until(
    () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('gpioset')).length === 3,
  );
  await until(() => seen.includes(true));
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('gpioset')),
    ['gpioset gpiochip0 17=0', 'gpioset gpiochip0 17=1', 'gpioset gpiochip0 17=0'],
  );
  assert.ok(lines.some((l) => l.startsWith('gpiomon --line-buffered --format=%e %s gpiochip0 27')));
  await gpio.close();

  // The real Debian tool against a chip that does not exist here.
  const real = createActuator(cfg({ id: 'r', kind: 'gpio', chip: 'gpiochip9', line: 1 }));
  await assert.rejects(real.init(), /gpioset gpiochip9 1=0: exit/);
  await real.close();
});
