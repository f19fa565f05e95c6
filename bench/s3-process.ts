// The embedded S3 server alone in a process, as an external S3 would be: its CPU is then its own, read from
// /proc, apart from the engine's. Prints one JSON line (endpoint, credentials, pid: tsx runs it in a child)
// once listening; stops on SIGTERM.
//   tsx bench/s3-process.ts <directory>
import { createS3Server } from '@spawnit/embedded';

const s3 = createS3Server({ directory: process.argv[2]!, buckets: ['spawnit'] });
const { endpoint } = await s3.start();
process.stdout.write(`${JSON.stringify({ endpoint, credentials: s3.credentials, pid: process.pid })}\n`);
process.once('SIGTERM', () => void s3.stop().then(() => process.exit(0)));
