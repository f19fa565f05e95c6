/**
 * Runs the real variable checks of tofu/terraform on each module's `variables.tf` alone (no resources, so no
 * provider to download): the defaults of every template, completed the way the engine completes them, must
 * pass the module's types and validation rules, and a few bad values must not.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrapDir, modulesDir, networkTemplates, templates } from './repo.js';
import { parametersFor, type Template } from './template-rules.js';
import { findTofu } from './tools.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'spawnit-validations-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Values a user must type (no default, no generator): the answers a real user would give. */
const ANSWERS: Record<string, unknown> = { eula: true };

/** What the engine sends: defaults, generated secrets, answers; `null` for what may stay empty. */
function engineParams(template: Template, provider: 'local' | 'aws'): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of parametersFor(template, provider)) {
    if (p.name in ANSWERS) params[p.name] = ANSWERS[p.name];
    else if (p.default !== undefined) params[p.name] = p.default;
    else if (p.generate)
      params[p.name] = 'Ab3'.repeat(Math.ceil(p.generate.length / 3)).slice(0, p.generate.length);
    else if (p.required) throw new Error(`${template.id}: parameter "${p.name}" needs an answer in ANSWERS`);
    else params[p.name] = null;
  }
  return params;
}

let runs = 0;

/** Plans the variables of `dir` with these values; returns the exit status and the output. */
function planVariables(
  dir: string,
  values: Record<string, unknown>,
): { status: number | null; output: string } {
  const work = path.join(scratch, String(runs++));
  mkdirSync(work, { recursive: true });
  copyFileSync(path.join(dir, 'variables.tf'), path.join(work, 'variables.tf'));
  writeFileSync(path.join(work, 'terraform.tfvars.json'), JSON.stringify(values));
  const result = spawnSync(findTofu(), ['plan', '-input=false', '-no-color', '-lock=false'], {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const context = (provider: 'local' | 'aws', template = '') => ({
  // An OIDC subject with a character Docker names refuse: the modules must cope.
  client_id: 'alice@example.com',
  service_id: template ? 'my-service' : '',
  template_id: template,
  provider,
  network_name: 'default',
  labels: { 'managed-by': 'spawnit' },
});

const pairs = templates().flatMap((t) =>
  (['local', 'aws'] as const).filter((p) => t.modules[p]).map((p) => [t.id, p, t] as const),
);

describe('module variables, checked by tofu', () => {
  it.each(pairs)('%s (%s) accepts its template defaults', (_id, provider, template) => {
    const dir = path.join(modulesDir, template.modules[provider] as string);
    const result = planVariables(dir, {
      context: context(provider, template.id),
      params: engineParams(template, provider),
    });
    expect(result.output).not.toMatch(/Error/);
    expect(result.status).toBe(0);
  });

  it.each(pairs)('%s (%s) refuses a short secret and a privileged port', (_id, provider, template) => {
    const dir = path.join(modulesDir, template.modules[provider] as string);
    const parameters = parametersFor(template, provider);
    const bad: [string, unknown][] = [
      ...parameters.filter((p) => p.secret).map((p): [string, unknown] => [p.name, 'short']),
      ...parameters.filter((p) => /(^|_)port$/.test(p.name)).map((p): [string, unknown] => [p.name, 80]),
    ];
    for (const [name, value] of bad) {
      const params = { ...engineParams(template, provider), [name]: value };
      const result = planVariables(dir, { context: context(provider, template.id), params });
      expect(result.status, `params.${name} = ${JSON.stringify(value)} was accepted`).toBe(1);
      expect(result.output).toContain(`var.params.${name}`);
    }
  });

  it('refuses a module run with the wrong provider in context', () => {
    const template = templates().find((t) => t.id === 'postgresql') as Template;
    const result = planVariables(path.join(modulesDir, 'services/postgresql/local'), {
      context: context('aws', 'postgresql'),
      params: engineParams(template, 'local'),
    });
    expect(result.status).toBe(1);
    expect(result.output).toContain('This module deploys with the "local" provider');
  });

  it('refuses to start Minecraft before the EULA is accepted', () => {
    const template = templates().find((t) => t.id === 'minecraft') as Template;
    const result = planVariables(path.join(modulesDir, 'services/minecraft/local'), {
      context: context('local', 'minecraft'),
      params: { ...engineParams(template, 'local'), eula: false },
    });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/accept\s+the\s+Minecraft\s+EULA/);
  });

  it.each(networkTemplates().map((n) => [n.provider, n.template] as const))(
    'network/%s accepts its template defaults',
    (provider, template) => {
      const result = planVariables(path.join(modulesDir, `network/${provider}`), {
        context: context(provider),
        params: engineParams(template, provider),
      });
      expect(result.output).not.toMatch(/Error/);
      expect(result.status).toBe(0);
    },
  );
});

describe('bootstrap variables, checked by tofu', () => {
  /** What all-deploy.sh exports as TF_VAR_*. */
  const fromScript: Record<string, Record<string, unknown>> = {
    instances: {
      spawnit_version: '0123abcd4567',
      docker_socket_gid: 999,
      docker_socket: '/var/run/docker.sock',
      state_dir: '/var/lib/spawnit-bootstrap',
      keycloak_image: 'spawnit/keycloak:26.5.6',
      s3_server: { kind: 'versitygw', image: 'spawnit/versitygw:1.8.0' },
    },
  };

  it.each(['volumes', 'network', 'instances'])('%s accepts its auto.tfvars.json', (step) => {
    const dir = path.join(bootstrapDir, step);
    const tfvars = readdirSync(dir).find((name) => name.endsWith('.auto.tfvars.json')) as string;
    const values = { ...JSON.parse(readFileSync(path.join(dir, tfvars), 'utf8')), ...fromScript[step] };
    const result = planVariables(dir, values);
    expect(result.output).not.toMatch(/Error/);
    expect(result.status).toBe(0);
  });
});
