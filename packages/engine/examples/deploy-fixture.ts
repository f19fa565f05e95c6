// The engine on its own, in a few lines: save a service, plan it, apply the plan, read its outputs, destroy it.
// Runs against an embedded S3 server in a temporary folder and the fixture catalog (terraform_data only), so it
// needs nothing but Node and tofu/terraform:  pnpm --filter @spawnit/engine run example
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createS3Server } from '@spawnit/embedded';
import { createEngine } from '@spawnit/engine';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const scratch = await mkdtemp(path.join(tmpdir(), 'spawnit-example-'));
const s3 = createS3Server({ directory: path.join(scratch, 's3'), buckets: ['spawnit'] });
const { endpoint } = await s3.start();

try {
  const engine = await createEngine({
    store: { endpoint, bucket: 'spawnit', ...s3.credentials },
    catalogDir: path.join(repo, 'tests/fixtures/catalog'),
    modulesDir: path.join(repo, 'tests/fixtures/modules'),
    dataDir: path.join(scratch, 'engine'),
  });
  console.log(
    `Using ${engine.tofu.name} ${engine.tofu.version}; state locking: ${engine.useLockfile ? 'S3 lockfile' : 'off'}`,
  );

  const service = { clientId: 'alice', serviceId: 'hello' };
  await engine.createService({
    ...service,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'Hello, SpawnIt' },
  });

  const plan = await engine.plan(service, { onLine: (line) => console.log(`  plan | ${line}`) });
  console.log(`Plan ${plan.planId}: ${plan.status}, ${plan.summary?.add} to add`);

  await engine.apply(service, plan.planId, { onLine: (line) => console.log(`  apply | ${line}`) });
  for (const output of await engine.outputs(service)) {
    console.log(`Output ${output.name} = ${output.sensitive ? '(sensitive)' : JSON.stringify(output.value)}`);
  }

  const destroyed = await engine.destroy(service, { onLine: (line) => console.log(`  destroy | ${line}`) });
  console.log(
    `Destroyed: ${destroyed.plan.summary?.destroy} resource(s); deployed now: ${await engine.isDeployed(service)}`,
  );
} finally {
  await s3.stop();
  await rm(scratch, { recursive: true, force: true });
}
