// Every benchmark of issue 13, one after the other, each printing its figures next to its baseline:
//   npx --yes pnpm@10.34.8 bench
// One failing bench is reported and the others still run; the exit code says whether all ran.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tsx = path.join(here, '..', 'node_modules', '.bin', 'tsx');
const BENCHES: [file: string, what: string][] = [
  ['listings.ts', 'listings at 1,000 services (in process and with the index in PostgreSQL)'],
  ['s3-requests.ts', 'one request to the embedded S3 server next to a bare server answering the same bytes'],
  ['service-plan-job.ts', 'a service plan job next to a plain plan (the network check)'],
  ['engine-overhead.ts', 'plan, apply and destroy through the engine next to the same commands by hand'],
  ['provider-check.ts', "a plan with the provider checksums in the lock file next to the engine's lock file"],
  ['drift-throughput.ts', 'drift checks of 200 deployed services next to the same plans by hand'],
  [
    'drift-promise.ts',
    'every deployed service checked each interval, idle and with a user browsing, next to a sweep by hand',
  ],
  ['log-burst.ts', '10,000 log lines to SSE and graphql-ws subscribers next to reading tofu directly'],
  ['memory.ts', 'RSS at 1,000 services with the drift loop on next to no services'],
  ['start.ts', '`start` to /health next to a bare Node server'],
  [
    'queue-overhead.ts',
    'a plan job in one process and through one PostgreSQL-mode worker next to tofu plan by hand',
  ],
  [
    'queue-throughput.ts',
    '24 plan jobs drained by 1, 2 and 3 PostgreSQL-mode workers next to the one-process mode',
  ],
];

const failed: string[] = [];
for (const [file, what] of BENCHES) {
  process.stdout.write(`\n=== ${file}: ${what}\n`);
  const started = performance.now();
  const result = spawnSync(tsx, [path.join(here, file)], { stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) failed.push(file);
  process.stdout.write(
    `=== ${file}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status})`} in ${seconds} s\n`,
  );
}
if (failed.length > 0) {
  process.stderr.write(`\n${failed.length} bench(es) failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
