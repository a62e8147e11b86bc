import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/**
 * A private NATS server with JetStream and its MQTT listener, configured from deploy/nats/nats.conf
 * (ports, server name and store directory replaced), on free ports with its own store directory, so a
 * test may kill it (SIGKILL) and start it again on the same store. Never the machine's shared NATS.
 */
export class PrivateNats {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'cg-nats-'));
  port = 0;
  mqttPort = 0;
  private log = '';

  get url(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    if (!this.mqttPort) this.mqttPort = await freePort();
    const shipped = readFileSync('deploy/nats/nats.conf', 'utf8');
    const replace = (re: RegExp, by: string, s: string) => {
      if (!re.test(s)) throw new Error(`deploy/nats/nats.conf changed: no line matching ${re}`);
      return s.replace(re, by);
    };
    let conf = replace(/^server_name: .*$/m, `server_name: cg-test-${this.port}`, shipped);
    conf = replace(/^listen: .*$/m, `listen: 127.0.0.1:${this.port}`, conf);
    conf = replace(/^\s*store_dir: .*$/m, `  store_dir: "${join(this.dir, 'jetstream')}"`, conf);
    conf = replace(/^\s*listen: 0\.0\.0\.0:1883$/m, `  listen: 127.0.0.1:${this.mqttPort}`, conf);
    const file = join(this.dir, 'nats.conf');
    writeFileSync(file, conf);
    this.proc = spawn(NATS_SERVER, ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.log = '';
    this.proc.stderr!.on('data', (d) => (this.log = (this.log + d).slice(-4000)));
    for (let i = 0; i < 150; i++) {
      if (await portOpen(this.mqttPort)) return;
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats-server did not start (MQTT port ${this.mqttPort}): ${this.log.slice(-1000)}`);
  }

  /** Dies without warning, as on a crash (JetStream keeps what it wrote to its files). */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
    this.proc = null;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    });
    this.proc = null;
  }
}
