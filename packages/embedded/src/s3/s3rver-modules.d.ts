// s3rver ships no types for its internals; these describe the parts SpawnIt's middleware relies on.
declare module 's3rver/lib/models/error.js' {
  /** s3rver's error type: its Koa error handler renders it as S3's XML error body with `status`. */
  export default class S3Error extends Error {
    constructor(code: string, message?: string, detail?: Record<string, string | number>);
    code: string;
    status: number;
    detail: Record<string, string | number>;
  }
}

declare module 's3rver/lib/models/object.js' {
  /** s3rver's object model; only the metadata it stores besides `x-amz-meta-*` is used. */
  const S3Object: { ALLOWED_METADATA: string[] };
  export default S3Object;
}
