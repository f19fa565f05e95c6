import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TofuError } from '../errors.js';
import type { RunContext, RunHooks } from '../runner/run-context.js';
import { renderBackendConfig } from './backend-config.js';
import { hashModule } from './hash-module.js';
import type { ResolvedTarget } from './resolve-target.js';
import { renderRootConfig } from './root-config.js';

export interface PreparedWorkdir {
  dir: string;
  /** Digest of what a plan depends on besides state: tfvars, root config and module content. */
  configHash: string;
  /** `init` ran for this preparation (false when the directory was already initialised the same way). */
  initialized: boolean;
}

const INIT_MARKER = path.join('.terraform', 'spawnit-init.json');
const LOCK_FILE = '.terraform.lock.hcl';
/** The lock file as `init` wrote it, checksums included: put back before the next `init`. */
const FULL_LOCK = path.join('.terraform', 'spawnit-lock.hcl');
/** Changes when what `init` leaves behind changes, so working directories made before are set up again. */
const LAYOUT = 'lock-without-checksums';

/**
 * The dependency lock file without its `hashes` lists. With them, tofu hashes every provider package it
 * loads, on every command: about 60 ms for the 76 MB Docker provider, so a plan of an empty configuration
 * takes 1.5x as long (`bench:provider-check`). `init` checked the package against them already;
 * the package and the lock file sit in the same owner-only folder, written by the same process, so whoever
 * could change one could change the other, and the check per command guards nothing here.
 */
export function withoutChecksums(lock: string): string {
  return lock.replace(/^[ \t]*hashes[ \t]*=[ \t]*\[[^\]]*\][ \t]*\n/gm, '');
}

/**
 * Removes the clear copy of the secret parameters once a step is done: it is written again before the next
 * one, so between runs nothing on disk holds them.
 */
export async function removeClearTfvars(dir: string): Promise<void> {
  await rm(path.join(dir, 'terraform.tfvars.json'), { force: true });
}

export interface PrepareWorkdirOptions extends RunHooks {
  /** Extra strings to redact from init's lines. @default the target's secret values */
  redact?: readonly string[];
}

/**
 * Lays out `<root>/<clientId>/<serviceId>/` (root config, tfvars from S3, backend settings) and runs `init`
 * only when the directory was not already initialised with the same settings and module content.
 */
export async function prepareWorkdir(
  ctx: RunContext,
  target: ResolvedTarget,
  options: PrepareWorkdirOptions = {},
): Promise<PreparedWorkdir> {
  const dir = target.workdir;
  // The directory and the `plans/` folder plans are written to and read from, in one call.
  await mkdir(path.join(dir, 'plans'), { recursive: true, mode: 0o700 });
  const rootConfig = renderRootConfig({
    moduleSource: path.relative(dir, target.moduleDir).split(path.sep).join('/'),
    outputs: target.outputs,
    secretParams: target.secretParams,
    platform: ctx.platform,
  });
  const backendConfig = renderBackendConfig({
    store: ctx.store,
    stateKey: target.stateKey,
    useLockfile: ctx.useLockfile,
    credentialsFile: ctx.credentialsFile,
  });
  const markerFile = path.join(dir, INIT_MARKER);
  // Side by side: each is a trip to the disk, in front of every tofu command.
  const [moduleHash, marker] = await Promise.all([
    hashModule(target.moduleDir),
    readFile(markerFile, 'utf8').catch(() => ''),
    writeFile(path.join(dir, 'main.tf.json'), rootConfig, { mode: 0o600 }),
    // The only place the secret parameters are written in clear: tofu reads them from here.
    writeFile(path.join(dir, 'terraform.tfvars.json'), target.tfvarsBody, { mode: 0o600 }),
    writeFile(path.join(dir, 'backend.tfbackend'), backendConfig, { mode: 0o600 }),
  ]);
  const configHash = createHash('sha256')
    .update(target.tfvarsBody)
    .update('\0')
    .update(rootConfig)
    .update('\0')
    .update(moduleHash)
    .digest('hex');
  const initHash = createHash('sha256')
    .update(JSON.stringify([backendConfig, rootConfig, moduleHash, ctx.tofu.path, ctx.tofu.version, LAYOUT]))
    .digest('hex');

  if (marker.includes(initHash)) return { dir, configHash, initialized: false };

  // `init` checks the providers against the checksums it recorded the first time, as it would by itself.
  await copyFile(path.join(dir, FULL_LOCK), path.join(dir, LOCK_FILE)).catch(() => undefined);
  const result = await ctx.run(
    ['init', '-input=false', '-reconfigure', '-backend-config=backend.tfbackend', ...ctx.colorArgs],
    // Whole: a forced cancel must reach init too, and its lines are redacted like any other.
    { ...options, redact: options.redact ?? target.secretValues, cwd: dir },
  );
  if (result.exitCode !== 0) {
    throw new TofuError(`init failed for ${target.description}: ${ctx.lastLines(result.lines)}`, {
      command: result.command,
      exitCode: result.exitCode,
      output: result.lines.join('\n'),
      isCanceled: result.isCanceled,
    });
  }
  const lock = await readFile(path.join(dir, LOCK_FILE), 'utf8').catch(() => undefined);
  if (lock !== undefined) {
    await writeFile(path.join(dir, FULL_LOCK), lock, { mode: 0o600 });
    await writeFile(path.join(dir, LOCK_FILE), withoutChecksums(lock), { mode: 0o600 });
  }
  await writeFile(markerFile, JSON.stringify({ initHash, at: new Date().toISOString() }));
  return { dir, configHash, initialized: true };
}
