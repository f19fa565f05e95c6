/** Each rule is shown failing on a fixture broken in one way, so a passing repository run means something. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModule } from './hcl.js';
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
  checkTfvars,
  checkVariablesAndOutputs,
  checkVersions,
  isPinnedImage,
} from './module-rules.js';
import { loadCached, modulesDir } from './repo.js';

const VERSIONS = `terraform {
  required_version = ">= 1.9"
  required_providers {
    docker = { source = "kreuzwerker/docker", version = "~> 3.6" }
  }
}`;

const VARIABLES = `variable "context" {
  description = "Set by SpawnIt."
  type = object({
    client_id    = string
    service_id   = string
    template_id  = string
    provider     = string
    network_name = string
    labels       = map(string)
    platform = optional(object({
      image_map    = optional(map(string), {})
      image_mirror = optional(string, "")
      publish_ip   = optional(string, "0.0.0.0")
    }), {})
  })
}
variable "params" {
  description = "Form values."
  type        = object({ password = string, port = optional(number, 5432) })
}`;

const CONTAINER = `
locals {
  images   = { "16" = "postgres:16.10-alpine", "17" = "postgres:17.6-alpine" }
  password = sensitive(var.params.password)
}
resource "docker_image" "this" {
  name = local.images["17"]
}
resource "docker_volume" "data" {
  name = "data"
  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}
resource "docker_container" "this" {
  name                  = "x"
  image                 = docker_image.this.image_id
  restart               = "unless-stopped"
  stop_timeout          = 60
  destroy_grace_seconds = 60
  wait                  = true
  healthcheck {
    test = ["CMD", "pg_isready"]
  }
  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/data"
  }
  dynamic "labels" {
    for_each = var.context.labels
    content {
      label = labels.key
      value = labels.value
    }
  }
}`;

const OUTPUTS = `output "port" {
  description = "Port."
  value       = var.params.port
}
output "password" {
  description = "Password."
  value       = local.password
  sensitive   = true
}`;

function fixture(overrides: Record<string, string> = {}) {
  return parseModule('fixture', {
    'versions.tf': VERSIONS,
    'variables.tf': VARIABLES,
    'main.tf': CONTAINER,
    'outputs.tf': OUTPUTS,
    ...overrides,
  });
}

const containerRules = { requireNamedVolume: true };

describe('the fixture', () => {
  it('passes every rule', async () => {
    const m = await fixture();
    expect([
      ...checkVariablesAndOutputs(m),
      ...checkVersions(m),
      ...checkStandardInterface(m),
      ...checkContainers(m, containerRules),
      ...checkSensitiveOutputs(m),
    ]).toEqual([]);
  });
});

describe('checkModuleFiles', () => {
  it('names each missing file', () => {
    expect(checkModuleFiles('m', ['main.tf', 'variables.tf', 'outputs.tf'])).toEqual([
      'm: versions.tf is missing',
      'm: README.md is missing',
    ]);
  });
});

describe('checkVariablesAndOutputs', () => {
  it('wants a type and a description on every variable, and a description on every output', async () => {
    const m = await fixture({
      'variables.tf': `${VARIABLES}\nvariable "a" {\n  description = "x"\n}\nvariable "b" {\n  type = string\n}\nvariable "c" {\n  description = "x"\n  type = lst(string)\n}`,
      'outputs.tf': 'output "o" {\n  value = 1\n}',
    });
    const problems = checkVariablesAndOutputs(m).join('\n');
    expect(problems).toContain('variable.a has no type');
    expect(problems).toContain('variable.b has no description');
    expect(problems).toContain('variable.c has a type that does not parse');
    expect(problems).toContain('output.o has no description');
  });
});

describe('checkVersions', () => {
  it('wants a required_version lower bound that accepts OpenTofu 1.9', async () => {
    const m = await fixture({ 'versions.tf': VERSIONS.replace('>= 1.9', '>= 1.11') });
    expect(checkVersions(m).join()).toMatch(/required_version ">= 1.11" must be a lower bound/);
    const none = await fixture({ 'versions.tf': 'terraform {\n}' });
    expect(checkVersions(none).join()).toMatch(/required_version } is missing/);
  });

  it('wants every used provider declared, from the right source, pinned "~> X.Y"', async () => {
    const unpinned = await fixture({ 'versions.tf': VERSIONS.replace('"~> 3.6"', '">= 3.0"') });
    expect(checkVersions(unpinned).join()).toMatch(/"docker" must be pinned as "~> X.Y", not ">= 3.0"/);
    const wrongSource = await fixture({
      'versions.tf': VERSIONS.replace('kreuzwerker/docker', 'someone/docker'),
    });
    expect(checkVersions(wrongSource).join()).toMatch(/must come from "kreuzwerker\/docker"/);
    const undeclared = await fixture({ 'extra.tf': 'resource "random_password" "x" {\n  length = 8\n}' });
    expect(checkVersions(undeclared).join()).toMatch(/"random" is used but not in required_providers/);
  });

  it('lets terraform_data go unpinned: it is built in', async () => {
    const m = await fixture({ 'extra.tf': 'resource "terraform_data" "x" {\n}' });
    expect(checkVersions(m)).toEqual([]);
  });
});

describe('checkConsistentPins', () => {
  it('finds a provider pinned two ways', async () => {
    const a = await fixture();
    const b = await parseModule('other', { 'versions.tf': VERSIONS.replace('~> 3.6', '~> 3.5') });
    expect(checkConsistentPins([a, b])).toEqual([
      'other: provider "docker" is pinned "~> 3.5" but "~> 3.6" in fixture',
    ]);
  });
});

describe('checkStandardInterface', () => {
  it('wants exactly context and params, with the standard context type', async () => {
    const extra = await fixture({
      'extra.tf': 'variable "region" {\n  description = "x"\n  type = string\n}',
    });
    expect(checkStandardInterface(extra).join()).toMatch(/declares variables \[context, params, region\]/);
    const changed = await fixture({
      'variables.tf': VARIABLES.replace('labels       = map(string)', 'labels = list(string)'),
    });
    expect(checkStandardInterface(changed).join()).toMatch(
      /variable.context does not have the standard type/,
    );
    const scalar = await fixture({
      'variables.tf': VARIABLES.replace(/type\s+= object\(\{ password[^\n]+/, 'type = string'),
    });
    expect(checkStandardInterface(scalar).join()).toMatch(/variable.params must be an object type/);
  });
});

describe('checkContainers', () => {
  it.each([
    [
      'a health check',
      /healthcheck \{\n {4}test = \["CMD", "pg_isready"\]\n {2}\}/,
      '',
      /has no healthcheck/,
    ],
    ['a restart policy', 'restart               = "unless-stopped"', '', /has no restart policy/],
    ['a restart policy that survives a reboot', '"unless-stopped"', '"no"', /restart = "no"/],
    ['a stop grace period', 'stop_timeout          = 60', '', /has no stop_timeout/],
    ['a destroy grace period', 'destroy_grace_seconds = 60', '', /has no destroy_grace_seconds/],
    ['a grace period of 10 s or more', 'stop_timeout          = 60', 'stop_timeout = 2', /stop_timeout = 2/],
    [
      'the same grace for a destroy as for a stop',
      'destroy_grace_seconds = 60',
      'destroy_grace_seconds = 10',
      /must set destroy_grace_seconds to its stop_timeout/,
    ],
    ['wait = true', 'wait                  = true', '', /must set wait = true/],
    ['a pinned image', 'local.images["17"]', '"postgres"', /image "postgres" is not pinned/],
    [
      'an image other than latest',
      'local.images["17"]',
      '"postgres:latest"',
      /image "postgres:latest" is not pinned/,
    ],
    [
      'every image of a version map pinned',
      '"postgres:16.10-alpine"',
      '"postgres"',
      /image "postgres" is not pinned/,
    ],
    ['an image it can follow', 'local.images["17"]', 'lower("POSTGRES:17")', /cannot tell which image/],
    [
      'a named volume',
      /volume_name {4}= docker_volume.data.name/,
      'host_path = "/srv"',
      /mounts no named volume/,
    ],
  ])('wants %s', async (_what, search, replace, message) => {
    const m = await fixture({ 'main.tf': CONTAINER.replace(search, replace) });
    const problems = checkContainers(m, containerRules).join('\n');
    expect(problems).toMatch(message);
  });

  it('wants labels on containers and volumes', async () => {
    const m = await fixture({
      'main.tf': CONTAINER.replaceAll(/ {2}dynamic "labels" \{[\s\S]*?\n {2}\}\n/g, ''),
    });
    const problems = checkContainers(m, containerRules);
    expect(problems.join('\n')).toMatch(/docker_container.this has no labels/);
    expect(problems.join('\n')).toMatch(/docker_volume.data has no labels/);
  });

  it('accepts an image from an input only where a validation refuses unpinned ones', async () => {
    const fromInput = CONTAINER.replace('local.images["17"]', 'var.image');
    const image = 'variable "image" {\n  description = "x"\n  type = string\n';
    const unchecked = await fixture({ 'main.tf': fromInput, 'image.tf': `${image}}` });
    expect(checkContainers(unchecked, containerRules).join()).toMatch(
      /no variable validation refuses unpinned images/,
    );
    const checked = await fixture({
      'main.tf': fromInput,
      'image.tf': `${image}  validation {\n    condition = !endswith(var.image, ":latest")\n    error_message = "pin it"\n  }\n}`,
    });
    expect(checkContainers(checked, containerRules)).toEqual([]);
  });
});

describe('isPinnedImage', () => {
  it.each([
    ['postgres:17.6-alpine', true],
    ['quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z', true],
    ['localhost:5000/app:1.0', true],
    [`app@sha256:${'a'.repeat(64)}`, true],
    ['postgres', false],
    ['postgres:latest', false],
    ['localhost:5000/app', false],
  ])('%s → %s', (image, pinned) => {
    expect(isPinnedImage(image)).toBe(pinned);
  });
});

describe('checkAwsInstanceCalls', () => {
  const call = (container: string) =>
    fixture({
      'main.tf': `locals {\n  image = "redis:7.4.5-alpine"\n}\nmodule "instance" {\n  source = "../../../aws/instance"\n  container = ${container}\n}`,
    });

  it('accepts a complete container', async () => {
    const m = await call(
      '{ image = local.image, health_cmd = "redis-cli ping", stop_timeout = 30, volumes = { data = "/data" } }',
    );
    expect(checkAwsInstanceCalls(m)).toEqual([]);
  });

  it('wants a pinned image, a health check, a grace period and a data folder', async () => {
    const m = await call('{ image = "redis", volumes = {} }');
    expect(checkAwsInstanceCalls(m)).toEqual([
      'fixture/main.tf: module.instance: image "redis" is not pinned to a version (a tag other than "latest")',
      'fixture/main.tf: module.instance passes no health_cmd',
      'fixture/main.tf: module.instance passes no stop_timeout',
      'fixture/main.tf: module.instance keeps no data folder (container.volumes)',
    ]);
  });
});

/** A local service the way the repository writes them: through modules/docker/{volumes,instances}. */
const SERVICE = `
locals {
  images   = { "16" = "postgres:16.10-alpine", "17" = "postgres:17.6-alpine" }
  password = sensitive(var.params.password)
  stop     = 60
}
module "volumes" {
  source  = "../../../docker/volumes"
  labels  = var.context.labels
  volumes = { data = { name = "data" } }
}
module "instances" {
  source       = "../../../docker/instances"
  network_name = "net"
  labels       = var.context.labels
  platform     = var.context.platform
  instances = {
    postgresql = {
      name         = "x"
      image        = local.images["17"]
      env          = { POSTGRES_PASSWORD = local.password }
      volumes      = [{ volume_name = module.volumes.names.data, container_path = "/data" }]
      healthcheck  = { test = ["CMD", "pg_isready"] }
      restart      = "unless-stopped"
      stop_timeout = local.stop
    }
  }
}`;

/** The service fixture, with `search` replaced; a search that matches nothing fails, so no case passes idly. */
function service(search?: string | RegExp, replace = '') {
  const main = search === undefined ? SERVICE : SERVICE.replace(search, replace);
  if (search !== undefined && main === SERVICE) throw new Error(`the service fixture has no ${search}`);
  return fixture({ 'main.tf': main });
}

describe('checkDockerInstancesCalls', () => {
  it('accepts the service fixture', async () => {
    const m = await service();
    expect([...checkDockerInstancesCalls(m, containerRules), ...checkLocalServiceBlocks(m)]).toEqual([]);
  });

  it.each([
    ['a health check', /\n {6}healthcheck[^\n]+/, '', /instances.postgresql has no healthcheck/],
    ['a health check command', '["CMD", "pg_isready"]', '[]', /instances.postgresql has no healthcheck/],
    [
      'a health check command it can read',
      '["CMD", "pg_isready"]',
      'concat(["CMD"], ["pg_isready"])',
      /cannot read healthcheck.test/,
    ],
    ['a pinned image', 'local.images["17"]', '"postgres"', /image "postgres" is not pinned/],
    [
      'an image other than latest',
      'local.images["17"]',
      '"postgres:latest"',
      /"postgres:latest" is not pinned/,
    ],
    [
      'every image of a version map pinned',
      '"postgres:16.10-alpine"',
      '"postgres"',
      /"postgres" is not pinned/,
    ],
    ['a stop grace period', /\n {6}stop_timeout[^\n]+/, '', /instances.postgresql has no stop_timeout/],
    ['a grace period of 10 s or more, through locals', 'stop     = 60', 'stop = 2', /stop_timeout = 2;/],
    ['a restart policy that survives a reboot', '"unless-stopped"', '"no"', /restart = "no"/],
    ['a named volume', /\n {6}volumes[^\n]+/, '', /mounts no named volume/],
    [
      'a named volume, not a host path',
      'volume_name = module.volumes.names.data',
      'host_path = "/srv"',
      /mounts no named volume/,
    ],
    [
      'labels on the containers',
      /\n {2}labels {7}= var.context.labels/,
      '',
      /instances.postgresql has no labels/,
    ],
    ['labels on the volumes', /\n {2}labels {2}= var.context.labels/, '', /module.volumes has no labels/],
    [
      'instances it can read',
      /instances = \{[\s\S]*\n {2}\}\n\}/,
      'instances = local.missing\n}',
      /cannot read instances/,
    ],
  ])('wants %s', async (_what, search, replace, message) => {
    const m = await service(search, replace);
    expect(checkDockerInstancesCalls(m, containerRules).join('\n')).toMatch(message);
  });
});

describe('checkLocalServiceBlocks', () => {
  it.each([
    [
      'containers only through docker/instances',
      'module "volumes"',
      'resource "docker_container" "extra" {\n}\nmodule "volumes"',
      /docker_container.extra: declare it through/,
    ],
    ['a docker/instances call', 'docker/instances', 'docker/elsewhere', /runs no container through/],
    [
      'context labels on the containers',
      /labels {7}= var.context.labels/,
      'labels = var.labels',
      /module.instances must pass labels = var.context.labels/,
    ],
    [
      'the operator platform settings on the containers',
      'platform     = var.context.platform',
      'platform = {}',
      /module.instances must pass platform = var.context.platform/,
    ],
    [
      'context labels on the volumes',
      /labels {2}= var.context.labels/,
      'labels = {}',
      /module.volumes must pass labels = var.context.labels/,
    ],
    [
      'data on a volume it creates',
      'module.volumes.names.data',
      '"someone-elses"',
      /keeps no data on a volume of/,
    ],
    [
      'data on a volume of its volumes call',
      'module.volumes.names.data',
      'module.volumes.names.logs',
      /keeps no data on a volume of/,
    ],
  ])('wants %s', async (_what, search, replace, message) => {
    const m = await service(search, replace);
    expect(checkLocalServiceBlocks(m).join('\n')).toMatch(message);
  });
});

describe('checkCallArguments', () => {
  const blocks = async () => {
    const instances = await loadCached(path.join(modulesDir, 'docker/instances'));
    const volumes = await loadCached(path.join(modulesDir, 'docker/volumes'));
    return (dir: string) =>
      dir.endsWith('docker/instances') ? instances : dir.endsWith('docker/volumes') ? volumes : undefined;
  };

  it('accepts the service fixture against the real building blocks', async () => {
    expect(checkCallArguments(await service(), await blocks())).toEqual([]);
  });

  it.each([
    [
      'a misspelt attribute',
      'stop_timeout = local.stop',
      'stop_timeot = local.stop',
      /instances.postgresql.stop_timeot is not an attribute/,
    ],
    ['a misspelt nested attribute', '{ test = [', '{ tset = [', /healthcheck.tset is not an attribute/],
    ['a required attribute', /\n {6}name {9}= "x"/, '', /instances.postgresql.name is required/],
    ['a variable the module has', 'network_name = "net"', 'network = "net"', /network is not a variable of/],
    [
      'every variable without a default',
      'network_name = "net"',
      '',
      /does not set network_name, which has no default/,
    ],
  ])('finds %s', async (_what, search, replace, message) => {
    expect(checkCallArguments(await service(search, replace), await blocks()).join('\n')).toMatch(message);
  });
});

describe('checkAwsDefaultTags', () => {
  it('wants the engine labels as default tags', async () => {
    const tagged = await fixture({
      'main.tf': 'provider "aws" {\n  default_tags {\n    tags = var.context.labels\n  }\n}',
    });
    expect(checkAwsDefaultTags(tagged)).toEqual([]);
    const untagged = await fixture({ 'main.tf': 'provider "aws" {\n  region = "eu-central-1"\n}' });
    expect(checkAwsDefaultTags(untagged).join()).toMatch(/must set default_tags/);
  });
});

describe('checkSensitiveOutputs', () => {
  it('finds a secret leaving through a non-sensitive output, directly or through locals', async () => {
    const leak = OUTPUTS.replace('  sensitive   = true\n', '');
    expect(checkSensitiveOutputs(await fixture({ 'outputs.tf': leak }))).toEqual([
      'fixture/outputs.tf: output.password carries a secret and must be sensitive = true',
    ]);
    const url = `output "url" {\n  description = "x"\n  value = "pg://u:\${var.params.password}@h"\n}`;
    expect(checkSensitiveOutputs(await fixture({ 'outputs.tf': url }), ['password']).join()).toMatch(
      /output.url carries a secret/,
    );
    expect(checkSensitiveOutputs(await fixture({ 'outputs.tf': url }), [])).toEqual([]);
    const generated = 'output "k" {\n  description = "x"\n  value = random_password.k.result\n}';
    expect(checkSensitiveOutputs(await fixture({ 'outputs.tf': generated })).join()).toMatch(
      /output.k carries a secret/,
    );
  });
});

describe('checkModuleSources', () => {
  it('finds a call whose folder has no module', async () => {
    const m = await fixture({ 'extra.tf': 'module "gone" {\n  source = "../nowhere"\n}' });
    expect(checkModuleSources(m, () => false)).toEqual([
      'fixture/extra.tf: module.gone: source "../nowhere" is not a module folder',
    ]);
    expect(checkModuleSources(m, () => true)).toEqual([]);
  });
});

describe('checkTfvars', () => {
  const root = () =>
    parseModule('root', {
      'variables.tf': `variable "ports" {
  description = "x"
  type = object({ web = number, admin = optional(number, 9000) })
}
variable "tag" {
  description = "x"
  type = string
}
variable "token" {
  description = "x"
  type      = string
  default   = null
  sensitive = true
}`,
    });

  it('accepts values that fit, and variables the script sets', async () => {
    expect(checkTfvars(await root(), 'x.auto.tfvars.json', { ports: { web: 80 } }, ['tag'])).toEqual([]);
  });

  it('finds unknown variables, wrong types, missing attributes, unset variables and committed secrets', async () => {
    const problems = checkTfvars(
      await root(),
      'x.auto.tfvars.json',
      { port: 1, ports: { web: '80', extra: 1, admin: [] }, token: 'abc' },
      [],
    );
    expect(problems).toEqual([
      'x.auto.tfvars.json: "port" is not a variable of root',
      'x.auto.tfvars.json: ports.extra is not an attribute of the type',
      'x.auto.tfvars.json: ports.web must be a number',
      'x.auto.tfvars.json: ports.admin must be a number',
      'x.auto.tfvars.json: "token" is sensitive and must not be committed in a tfvars file',
      'root: variable "tag" has no default and no value in x.auto.tfvars.json',
    ]);
  });
});
