/** Machine-readable error codes; the API maps them to GraphQL error extensions. */
export type SpawnitErrorCode =
  | 'INVALID_ID'
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'TEMPLATE_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'TOFU_NOT_FOUND'
  | 'TOFU_FAILED'
  | 'STALE_PLAN'
  | 'CONFLICT'
  | 'CANCELLED'
  | 'INVALID_TRANSITION'
  | 'SECRETS_UNAVAILABLE'
  | 'LIMIT_EXCEEDED';

export interface SpawnitErrorOptions {
  cause?: unknown;
}

/** Base of every error the engine throws on purpose: the message is written for the user. */
export class SpawnitError extends Error {
  readonly code: SpawnitErrorCode;
  constructor(code: SpawnitErrorCode, message: string, options: SpawnitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem with one form field. */
export interface FieldError {
  /** The parameter (or id) name, e.g. `port` or `serviceId`. */
  field: string;
  /** The rule that failed, e.g. `required`, `max`, `pattern`. */
  rule: string;
  message: string;
}

export class ValidationError extends SpawnitError {
  readonly fieldErrors: FieldError[];
  constructor(subject: string, fieldErrors: FieldError[]) {
    super('VALIDATION_FAILED', `${subject}: ${fieldErrors.map((e) => e.message).join('; ')}`);
    this.fieldErrors = fieldErrors;
  }
}

export class InvalidIdError extends SpawnitError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('INVALID_ID', message);
    this.field = field;
  }
}

export class NotFoundError extends SpawnitError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class StoreError extends SpawnitError {
  readonly endpoint: string;
  readonly bucket: string;
  constructor(message: string, endpoint: string, bucket: string, options: SpawnitErrorOptions = {}) {
    super('STORE_UNAVAILABLE', message, options);
    this.endpoint = endpoint;
    this.bucket = bucket;
  }
}

export class TofuNotFoundError extends SpawnitError {
  constructor(message: string, options: SpawnitErrorOptions = {}) {
    super('TOFU_NOT_FOUND', message, options);
  }
}

/** A tofu command exited non-zero. `output` holds its last lines for the user. */
export class TofuError extends SpawnitError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly isCanceled: boolean;
  constructor(
    message: string,
    details: { command: string; exitCode: number | undefined; output: string; isCanceled?: boolean },
    options: SpawnitErrorOptions = {},
  ) {
    super(details.isCanceled ? 'CANCELLED' : 'TOFU_FAILED', message, options);
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.output = details.output;
    this.isCanceled = details.isCanceled ?? false;
  }
}

export class StalePlanError extends SpawnitError {
  constructor(message: string) {
    super('STALE_PLAN', message);
  }
}

/** A target already has as many jobs waiting as allowed: one must run (or be cancelled) first. */
export class QueueFullError extends SpawnitError {
  readonly limit: number;
  constructor(message: string, limit: number) {
    super('LIMIT_EXCEEDED', message);
    this.limit = limit;
  }
}

export class ConflictError extends SpawnitError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}
