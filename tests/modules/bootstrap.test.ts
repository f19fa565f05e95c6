import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkCallArguments,
  checkContainers,
  checkModuleSources,
  checkSensitiveOutputs,
  checkTfvars,
  checkVariablesAndOutputs,
  checkVersions,
  isPinnedImage,
} from './module-rules.js';
import { bootstrapDir, listBootstrapRoots, loadCached, loadCalledModules } from './repo.js';

const STEPS = ['volumes', 'network', 'instances'];
/** Variables all-deploy.sh exports as TF_VAR_<name> instead of committing them. */
const FROM_SCRIPT = [
  'spawnit_version',
  'docker_socket_gid',
  'docker_socket',
  'state_dir',
  'keycloak_image',
  's3_server',
];
const script = readFileSync(path.join(bootstrapDir, 'all-deploy.sh'), 'utf8');
const hasTfFiles = (dir: string) => existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.tf'));

function tfvarsOf(step: string): { file: string; values: Record<string, unknown> } {
  const dir = path.join(bootstrapDir, step);
  const file = readdirSync(dir).find((name) => name.endsWith('.auto.tfvars.json'));
  if (!file) throw new Error(`bootstrap/${step} has no *.auto.tfvars.json`);
  return {
    file: `bootstrap/${step}/${file}`,
    values: JSON.parse(readFileSync(path.join(dir, file), 'utf8')),
  };
}

describe('bootstrap/', () => {
  it('has the three steps, and only them', () => {
    expect(listBootstrapRoots().sort()).toEqual([...STEPS].sort());
  });

  it.each(STEPS)('%s is a root with variables.tf, main.tf, versions.tf and an auto.tfvars.json', (step) => {
    const files = readdirSync(path.join(bootstrapDir, step));
    expect(files).toEqual(expect.arrayContaining(['variables.tf', 'main.tf', 'versions.tf']));
    expect(files.some((name) => name.endsWith('.auto.tfvars.json'))).toBe(true);
  });

  it.each(STEPS)('%s follows the module rules and its tfvars fit its variables', async (step) => {
    const m = await loadCached(path.join(bootstrapDir, step));
    const { file, values } = tfvarsOf(step);
    const called = await loadCalledModules(m);
    expect([
      ...checkVariablesAndOutputs(m),
      ...checkVersions(m),
      ...checkSensitiveOutputs(m),
      ...checkContainers(m, { requireNamedVolume: false }),
      ...checkModuleSources(m, hasTfFiles),
      ...checkCallArguments(m, (dir) => called.get(dir)),
      ...checkTfvars(m, file, values, FROM_SCRIPT),
    ]).toEqual([]);
  });

  it('pins the images it builds and runs', () => {
    const pins = readFileSync(path.join(bootstrapDir, 'images/versions.env'), 'utf8');
    expect(pins).toMatch(/^KEYCLOAK_VERSION=\d+\.\d+\.\d+$/m);
    expect(pins).toMatch(/^VERSITYGW_VERSION=\d+\.\d+\.\d+$/m);
    const minio = /^MINIO_IMAGE=(\S+)$/m.exec(pins)?.[1] ?? '';
    expect(isPinnedImage(minio), minio).toBe(true);
    expect(script).toContain('TF_VAR_keycloak_image="spawnit/keycloak:${KEYCLOAK_VERSION}"');
    expect(script).toContain('s3_image="spawnit/versitygw:${VERSITYGW_VERSION}"');
    // The tests' versitygw is the one the S3 image ships.
    const stack = readFileSync(path.join(bootstrapDir, '../scripts/stack/versions.env'), 'utf8');
    expect(/^VERSITYGW_VERSION=(\S+)$/m.exec(stack)?.[1]).toBe(/^VERSITYGW_VERSION=(\S+)$/m.exec(pins)?.[1]);
  });

  it('commits no secret: passwords are generated or read from the environment', () => {
    const problems = STEPS.flatMap((step) => {
      const { file, values } = tfvarsOf(step);
      return Object.keys(values)
        .filter((key) => /password|secret|token/i.test(key))
        .map((key) => `${file} sets ${key}`);
    });
    expect(problems).toEqual([]);
  });

  it('deploys the steps in order, destroys them in reverse, and waits for readiness instead of sleeping', () => {
    expect(script).toContain(`steps=(${STEPS.join(' ')})`);
    expect(script).toMatch(/for \(\(i = \$\{#steps\[@\]\} - 1; i >= last; i--\)\)/);
    expect(script).toContain('.State.Health.Status');
    expect(script).toContain('/.well-known/openid-configuration');
    // The only sleep is the pause between two polls of an endpoint.
    expect(script.match(/\bsleep \d+/g)).toEqual(['sleep 1']);
    for (const variable of FROM_SCRIPT) expect(script).toContain(`TF_VAR_${variable}`);
  });
});
