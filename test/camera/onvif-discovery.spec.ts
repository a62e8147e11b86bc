import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';

/**
 * WS-Discovery is UDP multicast on the local segment. To test it without sending anything onto a real
 * network, the probe and the emulated camera run in a network namespace of their own whose only
 * interface is its loopback, with multicast switched on and routed there.
 */
test('ONVIF discovery: a multicast probe finds the emulated camera, whose stream URI the edge then resolves', { timeout: 60_000 }, () => {
  const ns = `cg-onvif-${process.pid}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ip('netns', 'add', ns);
  try {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'multicast', 'on');
    ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, 'dist/test/camera/onvif-discovery-probe.js'], {
      encoding: 'utf8',
      timeout: 45_000,
    });
    assert.equal(r.status, 0, `probe process failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      found: { urn: string; host: string; port: number; xaddrs: string[] }[];
      urn: string;
      probes: number;
      streamUri: string | null;
    };
    assert.ok(out.probes >= 1, 'the camera saw the multicast probe');
    assert.equal(out.found.length, 1);
    assert.equal(out.found[0]!.urn, out.urn);
    assert.equal(out.found[0]!.host, '127.0.0.1');
    assert.match(out.streamUri ?? '', /^rtsp:\/\/viewer:secret@127\.0\.0\.1:8554\/discovered$/);
  } finally {
    ip('netns', 'del', ns);
  }
});
