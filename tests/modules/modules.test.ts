import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HclBody, parseModule, type TfModule } from './hcl.js';
import {
  checkAwsDefaultTags,
  checkAwsInstanceCalls,
  checkCallArguments,
  checkConsistentPins,
  checkContainers,
  checkDockerInstancesCalls,
  checkLocalServiceBlocks,
  checkModuleFiles,
  checkModuleSources,
  checkSensitiveOutputs,
  checkStandardInterface,
  checkVariablesAndOutputs,
  checkVersions,
  resolveImages,
} from './module-rules.js';
import {
  filesIn,
  kindOf,
  listModules,
  loadCached,
  loadCalledModules,
  modulesDir,
  templates,
} from './repo.js';

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
    const called = await loadCalledModules(m);
    const problems = [
      ...checkModuleFiles(absolute, filesIn(absolute)),
      ...checkVariablesAndOutputs(m),
      ...checkVersions(m),
      ...checkSensitiveOutputs(m),
      ...checkContainers(m, { requireNamedVolume: kind === 'service' }),
      ...checkDockerInstancesCalls(m, { requireNamedVolume: kind === 'service' }),
      ...checkAwsInstanceCalls(m),
      ...checkModuleSources(m, (d) => existsSync(d) && readdirSync(d).some((name) => name.endsWith('.tf'))),
      ...checkCallArguments(m, (d) => called.get(d)),
    ];
    if (kind === 'service' && dir.endsWith('/local')) problems.push(...checkLocalServiceBlocks(m));
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

/** The main.tf of a local service with one change inside its `module "instances"` block; a change that matches nothing throws. */
function changeInstances(text: string, edit: (block: string) => string): string {
  const start = text.indexOf('module "instances" {');
  const end = text.indexOf('\n}\n', start);
  const block = text.slice(start, end);
  const changed = edit(block);
  if (start === -1 || changed === block) throw new Error('the change matched nothing in module "instances"');
  return text.slice(0, start) + changed + text.slice(end);
}

/** The `.tf` files of a loaded module, as text, to change and parse again. */
function readSources(absolute: string, m: TfModule): Record<string, string> {
  return Object.fromEntries(m.files.map((file) => [file, readFileSync(path.join(absolute, file), 'utf8')]));
}

/** Drops a container's attribute, on one line or several (terraform fmt indents them by 6 spaces). */
const dropAttribute = (name: string) => (block: string) =>
  block.replace(
    new RegExp(`\\n {6}${name} += (?:[^\\n]*[[{(]\\n[\\s\\S]*?\\n {6}[\\]})][^\\n]*|[^\\n]*)`),
    '',
  );

/** Every image a service's containers can run, as the checks resolve them. */
function imagesOf(m: TfModule): string[] {
  const instances = m.modules.instances?.body.instances as Record<string, HclBody> | undefined;
  return Object.values(instances ?? {}).flatMap((instance) => {
    const source = resolveImages(m, instance.image);
    return 'images' in source ? source.images : [];
  });
}

describe('the rules on each real local service, broken one way at a time', () => {
  const services = modules.filter((dir) => kindOf(dir) === 'service' && dir.endsWith('/local'));
  const cases: [string, (text: string, m: TfModule) => string, RegExp][] = [
    ['its health check', (t) => changeInstances(t, dropAttribute('healthcheck')), /has no healthcheck/],
    [
      'its health check command',
      (t) => changeInstances(t, (b) => b.replace(/test += \[[^\n]*\]/, 'test = []')),
      /has no healthcheck/,
    ],
    [
      'a pinned image (:latest instead)',
      (t, m) =>
        imagesOf(m).reduce(
          (text, image) => text.replaceAll(`"${image}"`, `"${image.replace(/:[^:/]+$/, ':latest')}"`),
          t,
        ),
      /:latest" is not pinned/,
    ],
    ['its data volume', (t) => changeInstances(t, dropAttribute('volumes')), /mounts no named volume/],
    ['its stop_timeout', (t) => changeInstances(t, dropAttribute('stop_timeout')), /has no stop_timeout/],
    [
      'its labels',
      (t) => changeInstances(t, (b) => b.replace(/\n {2}labels += var\.context\.labels/, '')),
      /has no labels/,
    ],
    [
      'its docker/instances call',
      (t) => changeInstances(t, (b) => b.replace('docker/instances"', 'docker/elsewhere"')),
      /runs no container through/,
    ],
  ];

  it.each(
    services.flatMap((dir) => cases.map(([what, change, message]) => [dir, what, change, message] as const)),
  )('%s without %s fails', async (dir, _what, change, message) => {
    const absolute = path.join(modulesDir, dir);
    const m = await loadCached(absolute);
    const sources = readSources(absolute, m);
    const main = change(sources['main.tf'] as string, m);
    expect(main, 'the change left main.tf as it was').not.toBe(sources['main.tf']);
    const broken = await parseModule(absolute, { ...sources, 'main.tf': main });
    const problems = [
      ...checkDockerInstancesCalls(broken, { requireNamedVolume: true }),
      ...checkLocalServiceBlocks(broken),
    ];
    expect(problems.join('\n')).toMatch(message);
  });
});

describe('the rules on the real docker/instances building block, broken one way at a time', () => {
  const cases: [string, string, RegExp, string, RegExp][] = [
    ['its health check', 'main.tf', /\n {2}healthcheck \{[\s\S]*?\n {2}\}\n/, '\n', /has no healthcheck/],
    ['wait = true', 'main.tf', /\n {2}wait +\s*= true/, '', /must set wait = true/],
    ['its stop_timeout', 'main.tf', /\n {2}stop_timeout +=[^\n]*/, '', /has no stop_timeout/],
    [
      'a destroy grace tied to the stop grace',
      'main.tf',
      /destroy_grace_seconds = each\.value\.stop_timeout/,
      'destroy_grace_seconds = 10',
      /must set destroy_grace_seconds to its stop_timeout/,
    ],
    ['its labels', 'main.tf', /\n {2}dynamic "labels" \{[\s\S]*?\n {2}\}\n/, '\n', /has no labels/],
    [
      'a validation refusing unpinned images',
      'variables.tf',
      /&& !endswith\(i\.image, ":latest"\)/,
      '',
      /no variable validation refuses unpinned images/,
    ],
  ];

  it.each(cases)('without %s fails', async (_what, file, search, replace, message) => {
    const absolute = path.join(modulesDir, 'docker/instances');
    const m = await loadCached(absolute);
    const sources = readSources(absolute, m);
    const changed = (sources[file] as string).replace(search, replace);
    expect(changed, `the change left ${file} as it was`).not.toBe(sources[file]);
    const broken = await parseModule(absolute, { ...sources, [file]: changed });
    expect(checkContainers(broken, { requireNamedVolume: false }).join('\n')).toMatch(message);
  });
});
