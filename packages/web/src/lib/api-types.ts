// The shapes of the API's types (packages/api/schema.graphql) as the UI selects them. Every document in the
// UI is checked against the SDL by tests/web/documents.test.ts, so a renamed field fails a test.

export type Provider = 'LOCAL' | 'AWS';
export type PlanStatus = 'COMPLIANT' | 'DRIFTED' | 'ERROR';
export type JobState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'INTERRUPTED';
export type JobKind = 'PLAN' | 'APPLY' | 'DESTROY';
export type ParameterType = 'STRING' | 'INTEGER' | 'NUMBER' | 'BOOLEAN';

/** A JSON value, as the `JSON` scalar carries it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface TemplateParameter {
  name: string;
  label: string;
  description: string;
  type: ParameterType;
  required: boolean;
  default: Json | null;
  enum: Json[] | null;
  secret: boolean;
  generated: boolean;
  min: number | null;
  max: number | null;
  minLength: number | null;
  maxLength: number | null;
  pattern: string | null;
  providers: Provider[];
}

export interface TemplateOutput {
  name: string;
  description: string;
  secret: boolean;
}

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/** The API's refusal of a form: a sentence, and what is wrong with each field. */
export interface ValidationErrors {
  message: string;
  fieldErrors: FieldError[];
}

/** One attribute of a change, before -> after (JSON text); sensitive values never reach the UI. */
export interface AttributeChange {
  path: string;
  before: string | null;
  after: string | null;
  beforeSensitive: boolean;
  afterSensitive: boolean;
  afterUnknown: boolean;
  forcesReplacement: boolean;
}

export interface ResourceChange {
  address: string;
  actions: string[];
  /** Absent when the document does not select it; null when the plan was too large to list them. */
  attributes?: AttributeChange[] | null;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  resources: ResourceChange[];
  outputs: ResourceChange[];
  drift: ResourceChange[];
}

export interface ServiceStatus {
  status: PlanStatus;
  checkedAt: string;
  source: 'JOB' | 'DRIFT' | 'APPLY';
  error: string | null;
}

export interface Output {
  name: string;
  description: string | null;
  sensitive: boolean;
  value: Json | null;
}

export const FINAL_JOB_STATES: readonly JobState[] = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED'];

export const isFinal = (state: JobState | undefined) =>
  state !== undefined && FINAL_JOB_STATES.includes(state);

export const PROVIDER_LABELS: Record<Provider, string> = { LOCAL: 'Local Docker', AWS: 'AWS EC2' };

/** Resources done of those planned, while an apply or destroy runs. */
export interface JobProgress {
  done: number;
  total: number;
  failed: number;
}
