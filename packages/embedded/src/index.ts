export { createS3Server, type S3Server, type S3ServerOptions } from './s3/create-s3-server.js';
export type { S3Credentials } from './s3/use-signature-v4.js';
