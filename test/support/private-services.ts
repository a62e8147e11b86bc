import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalAndWaitExit } from './child-exit.js';
import { freePort } from './ports.js';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function waitPort(port: number, proc: ChildProcess, what: string, err: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await portOpen(port)) return;
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start on port ${port}: ${err().slice(0, 800)}`);
}

/**
 * A private service process on a free port that a fault-injection test may kill and start again on
 * the same port, never touching the machine's shared instance that other tests use.
 */
abstract class PrivateService {
  protected proc: ChildProcess | null = null;
  port = 0;
  protected err = '';

  protected abstract command(): { cmd: string; args: string[]; uid?: number; gid?: number };

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const { cmd, args, uid, gid } = this.command();
    this.err = '';
    this.proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], uid, gid });
    this.proc.stdout!.on('data', (d) => (this.err = (this.err + d).slice(-4000)));
    this.proc.stderr!.on('data', (d) => (this.err = (this.err + d).slice(-4000)));
    await waitPort(this.port, this.proc, cmd, () => this.err);
  }

  /** Dies without warning (SIGKILL; PostgreSQL: SIGQUIT, its crash-like immediate stop), as in an outage; resolves once it is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await signalAndWaitExit(p, signal);
    this.proc = null;
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await signalAndWaitExit(p, 'SIGTERM', 5000);
    this.proc = null;
  }
}

/** redis-server on a free port, no persistence. */
export class PrivateRedis extends PrivateService {
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  protected command() {
    return {
      cmd: 'redis-server',
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    };
  }
}

/** The newest PostgreSQL server binaries Debian installed. */
function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', versions[0]!, 'bin', name);
}

/**
 * A private PostgreSQL cluster (initdb in a temporary directory, trust authentication, database
 * `test`) on a free port. The server refuses to run as root, so it runs as the `postgres` user.
 */
export class PrivatePostgres extends PrivateService {
  readonly dir = mkdtempSync(join(tmpdir(), 'cg-pg-'));
  private ids: { uid: number; gid: number } | undefined;

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  override async start(): Promise<void> {
    if (!this.ids) {
      const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
      this.ids = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : undefined;
      if (this.ids) chownSync(this.dir, this.ids.uid, this.ids.gid);
      const r = spawnSync(pgBin('initdb'), ['-D', join(this.dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync'], {
        encoding: 'utf8',
        uid: this.ids?.uid,
        gid: this.ids?.gid,
      });
      if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr}`);
    }
    await super.start();
  }

  protected command() {
    return {
      cmd: pgBin('postgres'),
      args: [
        '-D',
        join(this.dir, 'data'),
        '-p',
        String(this.port),
        '-h',
        '127.0.0.1',
        '-k',
        this.dir,
        '-c',
        'fsync=off',
        '-c',
        'max_connections=50',
      ],
      ...this.ids,
    };
  }
}
