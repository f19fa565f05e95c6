import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkAwsDefaultTags,
  checkConsistentPins,
  checkContainers,
  checkInstanceCalls,
  checkModuleFiles,
  checkModuleSources,
  checkSensitiveOutputs,
  checkStandardInterface,
  checkVariablesAndOutputs,
  checkVersions,
} from './module-rules.js';
import { filesIn, kindOf, listModules, loadCached, modulesDir, templates } from './repo.js';

const modules = listModules();

describe('modules/', () => {
  it('has the building blocks, the network layers and the service modules', () => {
    for (const dir of [
      'common/configs/idp/realm',
      'common/configs/idp/client',
      'common/configs/idp/user',
      'common/configs/s3/bucket',
      'common/configs/s3/folder',
      'common/configs/s3/file',
      'common/configs/s3/content',
      'docker/instances',
      'docker/network',
      'docker/volumes',
      'network/local',
      'network/aws',
    ]) {
      expect(modules, `modules/${dir} is missing`).toContain(dir);
    }
    expect(modules.filter((dir) => kindOf(dir) === 'service').length).toBeGreaterThanOrEqual(11);
  });

  it.each(modules)('%s follows the module rules', async (dir) => {
    const absolute = path.join(modulesDir, dir);
    const m = await loadCached(absolute);
    const kind = kindOf(dir);
    const problems = [
      ...checkModuleFiles(absolute, filesIn(absolute)),
      ...checkVariablesAndOutputs(m),
      ...checkVersions(m),
      ...checkSensitiveOutputs(m),
      ...checkContainers(m, { requireNamedVolume: kind === 'service' }),
      ...checkInstanceCalls(m),
      ...checkModuleSources(m, (d) => existsSync(d) && readdirSync(d).some((name) => name.endsWith('.tf'))),
    ];
    if (kind !== 'building-block') problems.push(...checkStandardInterface(m));
    if (kind !== 'building-block' && dir.endsWith('/aws')) problems.push(...checkAwsDefaultTags(m));
    expect(problems).toEqual([]);
  });

  it('pins each provider to one version range across all modules', async () => {
    const loaded = await Promise.all(modules.map((dir) => loadCached(path.join(modulesDir, dir))));
    expect(checkConsistentPins(loaded)).toEqual([]);
  });

  it('has no service module that no template uses', () => {
    const used = new Set(templates().flatMap((t) => Object.values(t.modules)));
    const orphans = modules.filter((dir) => kindOf(dir) === 'service' && !used.has(dir));
    expect(orphans, 'service modules without a catalog template').toEqual([]);
  });
});
