import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OptionalModuleMissing, requireOptional } from './optional-module.js';
import { SerialQrScanner } from './gate/qr/serial-qr-scanner.js';
import { SerialQrInputSchema } from './gate/qr/qr-input-config.schema.js';

test('an optional dependency that is not installed: one clear error naming the package, the feature and what to do', () => {
  assert.throws(
    () => requireOptional('cong-ai-no-such-binding', 'a serial QR scanner'),
    (e: unknown) =>
      e instanceof OptionalModuleMissing &&
      e.moduleName === 'cong-ai-no-such-binding' &&
      /a serial QR scanner needs the npm package cong-ai-no-such-binding/.test(e.message) &&
      /npm ci/.test(e.message),
  );
});

test('a binding that is installed but broken is not disguised as missing', () => {
  const broken = Object.assign(new Error('invalid ELF header'), { code: 'ERR_DLOPEN_FAILED' });
  assert.throws(
    () =>
      requireOptional('cong-ai-broken-binding', 'x', () => {
        throw broken;
      }),
    (e: unknown) => e === broken,
  );
});

test('an installed optional dependency loads once and is reused', () => {
  let loads = 0;
  const a = requireOptional<{ n: number }>('cong-ai-fake-installed', 'x', () => ({ n: ++loads }));
  const b = requireOptional<{ n: number }>('cong-ai-fake-installed', 'x', () => ({ n: ++loads }));
  assert.equal(a, b);
  assert.equal(loads, 1);
});

test('serialport and modbus-serial are optional: nothing on the edge imports them at module load', async () => {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  for (const name of ['serialport', 'modbus-serial', '@pokusew/pcsclite']) {
    assert.ok(pkg.optionalDependencies?.[name], `${name} is an optional dependency`);
    assert.equal(pkg.dependencies?.[name], undefined, `${name} is not a regular dependency`);
  }
  // The compiled modules that use them load them lazily; a static import would make `npm ci` without the binding break the edge.
  for (const file of ['./gate/qr/serial-qr-scanner.js', './actuators/modbus-actuator.js']) {
    const js = readFileSync(new URL(file, import.meta.url), 'utf8');
    assert.doesNotMatch(js, /^import [^;]*from ['"](serialport|modbus-serial)['"]/m, file);
  }
});

test('a serial scanner whose port cannot open reports why in its health and keeps retrying, without a scan', async () => {
  const scans: unknown[] = [];
  const warnings: string[] = [];
  const s = new SerialQrScanner(
    SerialQrInputSchema.parse({ kind: 'serial', path: '/dev/cong-ai-no-such-tty', reconnect: { initialMs: 50, maxMs: 200 } }),
    (m) => warnings.push(m),
  );
  s.start((r) => scans.push(r));
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (s.health().lastError) {
        clearInterval(t);
        resolve();
      }
    }, 10);
  });
  await s.stop();
  assert.match(s.health().lastError ?? '', /cong-ai-no-such-tty|No such file/);
  assert.deepEqual(scans, []);
  assert.deepEqual(warnings, [], 'serialport is installed here, so no missing-package warning');
});
