import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';
import { signalAndWaitExit } from './child-exit.js';

/** How long a start may take before the test gives up (a bound, not a speed target: see start()). */
const START_BOUND_MS = 120_000;

/** The hub as its own OS process (as deployed), so a test can pause it (SIGSTOP) or kill it. */
export class HubProcess {
  private proc: ChildProcess | null = null;
  url = '';
  log = '';
  /** How the last process ended (exit code, or the signal that ended it). */
  exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(private readonly env: Record<string, string>) {}

  /** The hub's OS process id (e.g. to read its memory from /proc). */
  get pid(): number | undefined {
    return this.proc?.pid ?? undefined;
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.proc = spawn(process.execPath, ['dist/apps/hub/src/main.js'], {
      env: { ...process.env, ...this.env, PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = null;
    this.proc.once('exit', (code, signal) => (this.exited = { code, signal }));
    this.proc.stdout!.on('data', (d) => (this.log = (this.log + d).slice(-20_000)));
    this.proc.stderr!.on('data', (d) => (this.log = (this.log + d).slice(-20_000)));
    // Healthy, or gone: a start is judged by what the process does, not by how fast a (possibly loaded)
    // machine runs it. The bound only keeps a hung start from hanging the test run.
    const status = await waitFor(
      () =>
        this.exited
          ? -1
          : fetch(`${this.url}/health`).then(
              (r) => r.status,
              () => 0,
            ),
      (s) => s === 200 || s === -1,
      START_BOUND_MS,
      'hub process healthy',
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n--- hub log ---\n${this.log}`);
    });
    if (status === -1) throw new Error(`the hub exited during its start (${JSON.stringify(this.exited)})\n--- hub log ---\n${this.log}`);
  }

  /** Dies without warning (no shutdown hooks, nothing flushed), as on a crash or an OOM kill; resolves once it is gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await signalAndWaitExit(p, 'SIGKILL');
  }

  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** SIGTERM, and SIGKILL if it is still running after `graceMs` (the deployment's grace period is 30 s). */
  async stop(graceMs = 5000): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGCONT');
    await signalAndWaitExit(p, 'SIGTERM', graceMs);
  }
}
