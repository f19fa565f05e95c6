import { readdirSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TfModule } from '../modules/hcl.js';
import { listBootstrapRoots, listModules, loadCached, loadCalledModules } from '../modules/repo.js';
import { REPO_ROOT } from '../support/paths.js';
import { realStack } from '../support/real-stack.js';

// Every module and bootstrap root whose providers are in the mirror: `init` from the mirror alone, then
// `validate` against the real provider schemas. The others are checked statically (tests/modules/), for a
// reason this table gives; a module that needs any other provider fails here.
const NOT_BUILT: Record<string, string> = {
  'hashicorp/aws': 'too large to build on these machines',
  'aminueza/minio': 'AGPL: never built or used',
  'hashicorp/random': 'no version of it is served by the Go module proxy here',
  'keycloak/keycloak': 'no version of it is served by the Go module proxy here',
};

const stack = realStack();
let work: string;
let cliConfig: string;

/** `namespace/type` of every provider the mirror holds. */
function mirrored(): Set<string> {
  const host = path.join(stack.providerMirror, 'registry.opentofu.org');
  const found = new Set<string>();
  for (const namespace of readdirSync(host)) {
    for (const type of readdirSync(path.join(host, namespace))) found.add(`${namespace}/${type}`);
  }
  return found;
}

/** The providers a module needs, its called modules' included. */
async function providersOf(m: TfModule, seen = new Set<string>()): Promise<Set<string>> {
  const sources = new Set(
    Object.values(m.requiredProviders)
      .map((p) => p.source?.toLowerCase())
      .filter((s): s is string => !!s),
  );
  if (seen.has(m.dir)) return sources;
  seen.add(m.dir);
  for (const called of (await loadCalledModules(m)).values()) {
    for (const source of await providersOf(called, seen)) sources.add(source);
  }
  return sources;
}

const roots = [
  ...listModules().map((dir) => path.join('modules', dir)),
  ...listBootstrapRoots().map((dir) => path.join('bootstrap', dir)),
];

beforeAll(async () => {
  // A copy, so init writes no lock file or .terraform into the repository; relative sources keep working.
  work = await mkdtemp(path.join(tmpdir(), 'spawnit-validate-'));
  await cp(path.join(REPO_ROOT, 'modules'), path.join(work, 'modules'), { recursive: true });
  await cp(path.join(REPO_ROOT, 'bootstrap'), path.join(work, 'bootstrap'), { recursive: true });
  cliConfig = path.join(work, 'cli.tfrc');
  await writeFile(
    cliConfig,
    `plugin_cache_dir = ${JSON.stringify(path.join(work, 'plugin-cache'))}\nprovider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(stack.providerMirror)}\n  }\n}\n`,
  );
  await cp(cliConfig, path.join(work, 'unused'), { force: true });
  await execa('mkdir', ['-p', path.join(work, 'plugin-cache')]);
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function tofu(cwd: string, ...args: string[]) {
  return execa(stack.tofuBin, args, {
    cwd,
    reject: false,
    env: { TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
    timeout: 300_000,
  });
}

describe('modules and bootstrap roots against the real providers', () => {
  it('the mirror holds kreuzwerker/docker, and every other provider is one known not to be built', async () => {
    const inMirror = mirrored();
    expect([...inMirror]).toContain('kreuzwerker/docker');
    for (const root of roots) {
      const needed = await providersOf(await loadCached(path.join(REPO_ROOT, root)));
      for (const source of needed) {
        if (!inMirror.has(source)) expect(NOT_BUILT, `${root} needs ${source}`).toHaveProperty([source]);
      }
    }
  });

  it.each(roots)(
    '%s: init from the mirror, then validate (or static only, with the reason)',
    async (root) => {
      const needed = await providersOf(await loadCached(path.join(REPO_ROOT, root)));
      const unbuilt = [...needed].filter((source) => !mirrored().has(source));
      if (unbuilt.length > 0) {
        // Checked statically only; the reason is asserted, not skipped silently.
        for (const source of unbuilt) expect(NOT_BUILT[source], `${root} needs ${source}`).toBeTruthy();
        return;
      }
      const cwd = path.join(work, root);
      const init = await tofu(cwd, 'init', '-backend=false', '-input=false', '-no-color');
      expect(init.exitCode, `${root}: init\n${init.stdout}\n${init.stderr}`).toBe(0);
      const validate = await tofu(cwd, 'validate', '-json', '-no-color');
      const result = JSON.parse(validate.stdout) as {
        valid: boolean;
        diagnostics: { summary: string; detail: string }[];
      };
      expect(
        result.diagnostics.filter((d) => d),
        `${root}: validate`,
      ).toEqual([]);
      expect(result.valid).toBe(true);
    },
  );

  it('validates every local service, network and building block that runs on Docker', async () => {
    const validated: string[] = [];
    for (const root of roots) {
      const needed = await providersOf(await loadCached(path.join(REPO_ROOT, root)));
      if ([...needed].every((source) => mirrored().has(source))) validated.push(root);
    }
    // The Docker-only modules: 7 local services (gitea needs random), network/local, docker/* and every root.
    expect(validated).toEqual(
      expect.arrayContaining([
        'modules/services/postgresql/local',
        'modules/services/mariadb/local',
        'modules/services/redis/local',
        'modules/network/local',
        'modules/docker/instances',
        'bootstrap/network',
        'bootstrap/volumes',
        'bootstrap/instances',
      ]),
    );
  });
});
