import type { DockerPlatform } from '../config/images.js';
import type { ListingIndex } from '../listing/listing-index.js';
import type { StateDecrypter } from '../secrets/state-encryption.js';
import type { S3Store } from '../store/s3-store.js';
import type { TofuBinary } from '../tofu/binary.js';
import type { RunTofuResult } from '../tofu/run-tofu.js';

/** What a caller hands to every tofu command of a step: written once here, passed whole. */
export interface RunHooks {
  /** Each line tofu writes, redacted. */
  onLine?: (line: string) => void;
  /** Interrupts tofu once (it saves state and unlocks); a kill follows after the grace period. */
  signal?: AbortSignal;
  /** Kills tofu at once. */
  forceSignal?: AbortSignal;
  /** Called with the pid of each tofu started, so a restart after a crash can stop an orphan. */
  onSpawn?: (pid: number) => void;
  /** No tofu starts before this settles, and none if it fails (a job not yet recorded in S3). */
  ready?: Promise<void>;
}

export interface RunOptions extends RunHooks {
  cwd: string;
  /** Extra strings to redact from the lines (secret parameter values). */
  redact?: readonly string[];
  /** What tofu reads on stdin (`state push -`). @default nothing */
  input?: Buffer;
  /**
   * Each stdout line as tofu wrote it, not redacted: machine-readable output read in process as soon as it
   * comes (never logged, never shown).
   */
  onStdout?: (line: string) => void;
}

/** What every runner step shares: the binary, its environment, the store and the engine's settings. */
export interface RunContext {
  tofu: TofuBinary;
  store: S3Store;
  /** Where saved plans are found (see `retireSavedPlans`). */
  index: Pick<ListingIndex, 'savedPlans' | 'putSavedPlan' | 'removeSavedPlans'>;
  workdirRoot: string;
  modulesDir: string;
  /** `['-no-color']` when colours are stripped. */
  colorArgs: string[];
  useLockfile: boolean;
  credentialsFile: string | undefined;
  /** e.g. `10s`: how long a run waits for the state lock. */
  lockTimeout: string;
  /** The operator's Docker settings, handed to every module as `context.platform`. */
  platform: DockerPlatform;
  run(args: string[], options: RunOptions): Promise<RunTofuResult>;
  /** Decrypts a state OpenTofu encrypted (a clear one is returned as it is). */
  decryptState: StateDecrypter;
  /**
   * What went wrong, for an error message: a known failure explained, else tofu's first error in one sentence
   * (from `-json` diagnostics or the human output), else the last meaningful lines. `redact` hides secrets in
   * text decoded from JSON lines.
   */
  lastLines(lines: readonly string[], redact?: (text: string) => string): string;
}
