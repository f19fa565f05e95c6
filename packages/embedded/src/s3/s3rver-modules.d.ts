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
  /** s3rver's object model: the metadata it keeps besides `x-amz-meta-*`, and an object as listings give it. */
  const S3Object: {
    ALLOWED_METADATA: string[];
    new (
      bucket: string,
      key: string,
      content: null,
      metadata: Record<string, string>,
    ): {
      bucket: string;
      key: string;
      content: null;
      metadata: Record<string, string>;
      readonly size: number;
      readonly lastModifiedDate: Date;
    };
  };
  export default S3Object;
}
