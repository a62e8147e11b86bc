import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort } from './ports.js';
import { signalAndWaitExit } from './child-exit.js';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** The options of the shipped config that a private instance replaces (checked, so a change to the file is noticed). */
const SHIPPED = {
  listener: /^listener 1883$/m,
  persistence: /^persistence_location .*$/m,
  include: /^include_dir \/etc\/mosquitto\/cong-ai$/m,
  anonymous: /^allow_anonymous false$/m,
};

/**
 * A private Mosquitto on a free port, configured from deploy/mosquitto/mosquitto.conf (same queue
 * limits, persistence, authentication and ACL), that a test may stop and start again. Its
 * `include_dir` is `authDir` (what `npm run hub:mosquitto-config` wrote) or an empty private
 * directory, where the shipped config refuses every connection. Only tests that are not about the
 * broker's security pass `anonymous: true`.
 */
export class PrivateMosquitto {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'cg-mosq-'));
  port = 0;

  /** `extraConfig` is appended to the base config (e.g. the generated cg-auth.conf: password_file, acl_file). */
  constructor(private readonly opts: { extraConfig?: string; authDir?: string; anonymous?: boolean } = {}) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const shipped = readFileSync('deploy/mosquitto/mosquitto.conf', 'utf8');
    for (const [what, re] of Object.entries(SHIPPED))
      if (!re.test(shipped)) throw new Error(`deploy/mosquitto/mosquitto.conf changed: no ${what} line matching ${re}`);
    const include = this.opts.authDir ?? join(this.dir, 'conf.d');
    mkdirSync(include, { recursive: true });
    const conf = shipped
      .replace(SHIPPED.listener, `listener ${this.port} 127.0.0.1`)
      .replace(SHIPPED.persistence, `persistence_location ${this.dir}/`)
      .replace(SHIPPED.include, `include_dir ${include}`)
      .replace(SHIPPED.anonymous, this.opts.anonymous ? 'allow_anonymous true' : 'allow_anonymous false')
      .concat(this.opts.extraConfig ? `\n${this.opts.extraConfig}\n` : '');
    // Started as root, Mosquitto drops to its own user, which must be able to write the persistence file.
    chmodSync(this.dir, 0o777);
    const file = join(this.dir, 'mosquitto.conf');
    writeFileSync(file, conf);
    this.proc = spawn('mosquitto', ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    this.proc.stderr!.on('data', (d) => (err += d));
    for (let i = 0; i < 100; i++) {
      if (await portOpen(this.port)) return;
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`mosquitto did not start on port ${this.port}: ${err.slice(0, 500)}`);
  }

  /** Freezes the broker (SIGSTOP): connections stay open, nothing is read or acknowledged. */
  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Graceful stop: Mosquitto writes its persistence file, as on a service restart. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    p.kill('SIGCONT');
    await signalAndWaitExit(p, 'SIGTERM');
    this.proc = null;
  }
}

/** Removes persistent sessions a test left on a shared broker (connect clean, then leave). */
export async function purgeSessions(url: string, clientIds: string[]): Promise<void> {
  for (const clientId of clientIds) {
    const c = await mqtt.connectAsync(url, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 }).catch(() => null);
    await c?.endAsync();
  }
}
