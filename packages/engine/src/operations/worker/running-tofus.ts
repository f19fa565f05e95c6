import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Which tofu a job runs on this machine: what a restart here needs to stop an orphan. */
export interface RunningTofu {
  pid: number;
  /** The binary it runs, so a restart stops only a process running it (a pid can be reused). */
  bin: string;
  /**
   * When its job started running, as its record said: the record in S3 is written when the job ends, so after a
   * crash this is where a restart finds it.
   */
  startedAt?: string;
}

const fileOf = (dataDir: string, jobId: string) => path.join(dataDir, 'running', `${jobId}.json`);

/**
 * Kept on this machine's disk, not in S3: only a process here can stop it, and writing S3 while tofu starts
 * slowed tofu's own first requests to the embedded S3 server. A crash of the machine ends tofu too.
 */
export const runningTofus = {
  async note(dataDir: string, jobId: string, running: RunningTofu): Promise<void> {
    await mkdir(path.dirname(fileOf(dataDir, jobId)), { recursive: true, mode: 0o700 });
    await writeFile(fileOf(dataDir, jobId), JSON.stringify(running), { mode: 0o600 });
  },
  async read(dataDir: string, jobId: string): Promise<RunningTofu | undefined> {
    const text = await readFile(fileOf(dataDir, jobId), 'utf8').catch(() => undefined);
    if (!text) return undefined;
    try {
      const { pid, bin, startedAt } = JSON.parse(text) as Partial<RunningTofu>;
      if (!Number.isInteger(pid) || typeof bin !== 'string') return undefined;
      return { pid: pid!, bin, ...(typeof startedAt === 'string' ? { startedAt } : {}) };
    } catch {
      // Cut short by the crash it is there for: nothing to stop by it.
      return undefined;
    }
  },
  forget: (dataDir: string, jobId: string) => rm(fileOf(dataDir, jobId), { force: true }),
};
