import { access, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createS3Server, type S3Server } from '@spawnit/embedded';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/s3-backend-root', import.meta.url));
const BUCKET = 'tfstate';
const credentials = { accessKeyId: 'spawnit-test', secretAccessKey: 'spawnit-test-secret' };

let root: string;
let cliConfig: string;
let binary: string;
let server: S3Server;
let s3: S3Client;

/** The binary the engine would run: SPAWNIT_TOFU_BIN, else tofu, else terraform. */
async function findBinary(): Promise<string> {
  const candidates = [process.env.SPAWNIT_TOFU_BIN, 'tofu', 'terraform'].filter(
    (name): name is string => !!name,
  );
  for (const candidate of candidates) {
    const result = await execa(candidate, ['version'], { reject: false });
    if (result.exitCode === 0) return candidate;
  }
  throw new Error(
    'This test needs OpenTofu (>= 1.10) or Terraform (>= 1.10) for the S3 lockfile: set SPAWNIT_TOFU_BIN or put tofu or terraform on PATH.',
  );
}

/** The backend settings that work against createS3Server: everything else is Terraform's default. */
function backendConfig(key: string): string[] {
  return Object.entries({
    bucket: BUCKET,
    key,
    region: 'us-east-1',
    endpoints: `{ s3 = "${server.endpoint}" }`,
    use_path_style: 'true',
    use_lockfile: 'true',
    skip_credentials_validation: 'true',
    skip_requesting_account_id: 'true',
    skip_metadata_api_check: 'true',
  }).map(([name, value]) => `-backend-config=${name}=${value}`);
}

function terraform(cwd: string, args: string[]) {
  return execa(binary, [...args, '-no-color', '-input=false'], {
    cwd,
    reject: false,
    all: true,
    env: {
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
  });
}

async function initialisedRoot(name: string, key: string): Promise<string> {
  const directory = join(root, name);
  await cp(FIXTURE, directory, { recursive: true });
  const init = await terraform(directory, ['init', ...backendConfig(key)]);
  expect(init.exitCode, init.all).toBe(0);
  return directory;
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
    throw error;
  }
}

async function readObject(key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

beforeAll(async () => {
  binary = await findBinary();
  root = await mkdtemp(join(tmpdir(), 'spawnit-tf-s3-'));
  // An empty CLI config: the machine's TF_CLI_CONFIG_FILE may point at a missing file.
  cliConfig = join(root, 'terraformrc');
  await writeFile(cliConfig, '');
  server = createS3Server({ directory: join(root, 's3'), buckets: [BUCKET], ...credentials });
  await server.start();
  s3 = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("Terraform's S3 backend against createS3Server", () => {
  it('applies with the state in the bucket and the lockfile released', async () => {
    const directory = await initialisedRoot('apply', 'services/apply/terraform.tfstate');
    const apply = await terraform(directory, ['apply', '-auto-approve']);
    expect(apply.exitCode, apply.all).toBe(0);
    // The Go SDK warns when GetObject's response lacks a checksum; nothing else should be on stderr.
    expect(apply.stderr).toBe('');

    const state = JSON.parse(await readObject('services/apply/terraform.tfstate'));
    expect(state.outputs.input.value).toBe('hello from the S3 backend test');
    expect(await exists('services/apply/terraform.tfstate.tflock')).toBe(false);

    const plan = await terraform(directory, ['plan', '-detailed-exitcode']);
    expect(plan.exitCode, plan.all).toBe(0);
  });

  it('refuses a second run while a real apply holds the lock, naming the lock ID', async () => {
    const key = 'services/locked/terraform.tfstate';
    const holder = await initialisedRoot('holder', key);
    const contender = await initialisedRoot('contender', key);
    const releaseFile = join(root, 'release-lock');

    const apply = terraform(holder, ['apply', '-auto-approve', `-var=release_file=${releaseFile}`]);
    try {
      await waitFor('the apply to take the lock', () => exists(`${key}.tflock`));
      const lock = JSON.parse(await readObject(`${key}.tflock`)) as { ID: string; Operation: string };
      expect(lock.Operation).toBe('OperationTypeApply');

      const plan = await terraform(contender, ['plan', '-lock-timeout=0s']);
      expect(plan.exitCode).not.toBe(0);
      expect(plan.all).toContain('Error acquiring the state lock');
      expect(plan.all).toContain(lock.ID);
    } finally {
      await writeFile(releaseFile, '');
    }
    const applied = await apply;
    expect(applied.exitCode, applied.all).toBe(0);
    expect(await exists(`${key}.tflock`)).toBe(false);
    expect(await exists(key)).toBe(true);

    const plan = await terraform(contender, ['plan', '-detailed-exitcode', '-lock-timeout=0s']);
    expect(plan.exitCode, plan.all).toBe(0);
  });

  it('keeps the fixture free of local state files', async () => {
    // The backend must never fall back to a local terraform.tfstate in the root.
    await expect(access(join(root, 'apply', 'terraform.tfstate'))).rejects.toThrow();
  });
});
