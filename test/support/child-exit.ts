import type { ChildProcess } from 'node:child_process';

/**
 * Sends `signal` to a child process and resolves once it has exited; with `killAfterMs`, a SIGKILL
 * follows if it is still running by then (a graceful stop that hangs).
 */
export function signalAndWaitExit(p: ChildProcess, signal: NodeJS.Signals, killAfterMs?: number): Promise<void> {
  return new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill(signal);
    if (killAfterMs !== undefined) setTimeout(() => p.kill('SIGKILL'), killAfterMs).unref();
  });
}
