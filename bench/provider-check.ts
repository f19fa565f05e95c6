// What tofu's check of the provider packages against the lock file costs on every command: a plan of a
// configuration that only requires the Docker provider (76 MB; every catalog service uses it), with the lock
// file as `init` writes it (checksums: tofu hashes the whole package before each command) next to the lock file
// the engine leaves in a working directory (`withoutChecksums`), interleaved so both see the same machine load.
// Builds OpenTofu and the provider mirror first (scripts/stack/build-*.sh, cached).
//   npx --yes pnpm@10.34.8 bench:provider-check [runs]
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { withoutChecksums } from '../packages/engine/src/workdir/prepare-workdir.js';
import { median } from './support.js';

const runs = Number(process.argv[2] ?? 15);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = async (script: string) =>
  (await execa('bash', [path.join(repo, 'scripts/stack', script)], { stderr: 'inherit' })).stdout
    .trim()
    .split('\n')
    .at(-1)!;
const tofu = process.env.SPAWNIT_TOFU_BIN ?? (await built('build-tofu.sh'));
const mirror = process.env.SPAWNIT_PROVIDER_MIRROR ?? (await built('build-providers.sh'));

const dir = await mkdtemp(path.join(tmpdir(), 'spawnit-provider-check-'));
try {
  await writeFile(
    path.join(dir, 'main.tf.json'),
    JSON.stringify({
      terraform: { required_providers: { docker: { source: 'kreuzwerker/docker', version: '4.6.0' } } },
    }),
  );
  await writeFile(
    path.join(dir, 'cli.tfrc'),
    `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`,
  );
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: path.join(dir, 'cli.tfrc'),
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
  };
  await execa(tofu, ['init', '-input=false', '-no-color'], { cwd: dir, env });
  const lockFile = path.join(dir, '.terraform.lock.hcl');
  const asInitWrote = await readFile(lockFile, 'utf8');
  if (!asInitWrote.includes('hashes')) throw new Error('init wrote no checksums: nothing to compare');
  const asEngineLeaves = withoutChecksums(asInitWrote);
  const plan = async (lock: string) => {
    await writeFile(lockFile, lock);
    const t = performance.now();
    await execa(tofu, ['plan', '-input=false', '-lock=false', '-no-color'], { cwd: dir, env });
    return performance.now() - t;
  };
  await plan(asInitWrote);
  await plan(asEngineLeaves);
  const checked: number[] = [];
  const unchecked: number[] = [];
  for (let i = 0; i < runs; i++) {
    checked.push(await plan(asInitWrote));
    unchecked.push(await plan(asEngineLeaves));
  }
  const c = median(checked);
  const u = median(unchecked);
  console.log(`plan of a configuration requiring only the Docker provider, median of ${runs}:`);
  console.log(`  lock file as init writes it (checksums checked on each command): ${c.toFixed(0)} ms`);
  console.log(`  lock file as the engine leaves it (checked by init only):        ${u.toFixed(0)} ms`);
  console.log(`  saved per tofu command: ${(c - u).toFixed(0)} ms (${(c / u).toFixed(2)}x)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
