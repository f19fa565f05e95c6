import { describe, expect, it } from 'vitest';
import { runTofu } from './run-tofu.js';

// The runner itself, on small shell programs standing in for tofu: how lines, input, interrupts and failures to
// start come back through the spawner process.
const env = { PATH: process.env.PATH };
const sh = (script: string, options: Partial<Parameters<typeof runTofu>[2]> = {}) =>
  runTofu('/bin/sh', ['-c', script], { cwd: '/tmp', env, ...options });

describe('runTofu', () => {
  it('returns every line in order, stdout apart, with the exit code', async () => {
    const seen: string[] = [];
    const result = await sh("printf 'a\\r\\nb'; printf 'err\\n' >&2; printf 'c\\nlast'; exit 3", {
      onLine: (line, stream) => seen.push(`${stream}:${line}`),
    });
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toEqual(['a', 'bc', 'last']);
    expect([...seen].sort()).toEqual(['stderr:err', 'stdout:a', 'stdout:bc', 'stdout:last']);
    expect(result.lines).toHaveLength(4);
  });

  it('writes the input to stdin', async () => {
    const result = await sh('cat', { input: Buffer.from('from stdin\n') });
    expect(result.stdout).toEqual(['from stdin']);
  });

  it('interrupts once, then kills the whole group after the grace period', async () => {
    const controller = new AbortController();
    const pids: number[] = [];
    // Ignores the interrupt, like a tofu finishing its step; a grandchild must die with it.
    const running = sh("trap 'echo interrupted' INT; sleep 30 & wait; wait", {
      signal: controller.signal,
      gracePeriodMs: 500,
      onSpawn: (pid) => pids.push(pid),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    const started = Date.now();
    const result = await running;
    expect(result.isCanceled).toBe(true);
    expect(result.wasKilled).toBe(true);
    expect(result.stdout).toEqual(['interrupted']);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pids).toHaveLength(1);
    // The group's processes were killed; they may take a moment to be reaped.
    const alive = () => {
      try {
        process.kill(-pids[0]!, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 30 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(), 'the process group is gone').toBe(false);
  });

  it('says which program could not start', async () => {
    const result = await runTofu('/nonexistent/tofu', ['plan'], { cwd: '/tmp', env });
    expect(result.exitCode).toBeUndefined();
    expect(result.lines.join('\n')).toContain('Could not run /nonexistent/tofu');
  });
});
