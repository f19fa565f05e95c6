export {
  type Catalog,
  type CatalogProblem,
  type LoadCatalogOptions,
  loadCatalog,
} from './catalog/load-catalog.js';
export {
  checkValue,
  type ParameterValue,
  type Template,
  type TemplateOutput,
  type TemplateParameter,
  templateSchema,
} from './catalog/template.js';
export {
  generateSecret,
  maskSecrets,
  type Params,
  type ValidateParamsOptions,
  validateParams,
} from './catalog/validate-params.js';
export {
  type DockerPlatform,
  hasImageSubstitution,
  ImageSettingError,
  type ImageSubstitution,
  parseImageSubstitution,
  parsePublishIp,
} from './config/images.js';
export { buildTfvars, type DeploymentContext, serializeTfvars, type TfVars } from './config/tfvars.js';
export {
  createEngine,
  type DestroyResult,
  type Engine,
  type EngineOptions,
  type NetworkRef,
  type ServiceRef,
  toTargetRef,
} from './engine.js';
export {
  ConflictError,
  type FieldError,
  InvalidIdError,
  NotFoundError,
  QueueFullError,
  SpawnitError,
  type SpawnitErrorCode,
  StalePlanError,
  StoreError,
  TofuError,
  TofuNotFoundError,
  ValidationError,
} from './errors.js';
export {
  assertClientId,
  assertNetworkName,
  assertProvider,
  assertServiceId,
  PROVIDERS,
  type ProviderName,
} from './ids.js';
export {
  InvalidTransitionError,
  isTerminal,
  type JobKind,
  type JobRecord,
  type JobState,
  type JobTrigger,
  type LockInfo,
  newJob,
  TERMINAL_STATES,
  transition,
} from './job/job.js';
export { type BatchLinesOptions, batchLines, JobLog, type LogLine } from './job/job-log.js';
export {
  emptyIndexSnapshot,
  type IndexSnapshot,
  type JobKey,
  type ListingIndex,
  type ListJobsOptions,
  type NetworkEntry,
  type NetworkKey,
  type SavedPlan,
  type ServiceEntry,
  type ServiceKey,
  withoutParams,
} from './listing/listing-index.js';
export { createMemoryIndex, type MemoryIndexOptions } from './listing/memory-index.js';
export {
  createPostgresIndex,
  type PostgresIndex,
  type PostgresIndexOptions,
} from './listing/postgres-index.js';
export { type ScanOptions, scanStore } from './listing/scan-store.js';
export {
  createDistributedDriftLag,
  createDistributedOperations,
  type DistributedOptions,
  type DistributedWorker,
  startDistributedWorker,
} from './operations/distributed.js';
export {
  type ContainerEvent,
  type DockerEventWatch,
  DRIFT_EVENTS,
  type WatchDockerEventsOptions,
  watchDockerEvents,
} from './operations/docker-events.js';
export {
  createDriftLoop,
  type DriftLag,
  type DriftLoop,
  type DriftLoopOptions,
  type DriftStats,
} from './operations/drift-loop.js';
export type { EngineEvents, ServiceStatus } from './operations/events.js';
export { InProcessEventBus } from './operations/in-process/event-bus.js';
export { createS3JobStore } from './operations/in-process/s3-job-store.js';
export { TargetSlots } from './operations/in-process/target-lock.js';
export {
  acquireInstanceLease,
  INSTANCE_LEASE_KEY,
  type InstanceLease,
  type InstanceLeaseOptions,
  type LeaseHolder,
} from './operations/instance-lease.js';
export { createJobService, type JobService, type JobServiceOptions } from './operations/job-service.js';
export { readLock } from './operations/locks.js';
export {
  createOperations,
  type Operations,
  type OperationsOptions,
} from './operations/operations.js';
export type {
  ActiveMarker,
  EventBus,
  JobQueue,
  JobStore,
  LiveLog,
  TargetLock,
} from './operations/ports.js';
export { createServiceStatuses, type ServiceStatuses } from './operations/service-status.js';
export { StateBlockedError } from './operations/state-recovery.js';
export { createWorker, type Worker, type WorkerOptions } from './operations/worker/worker.js';
export { type DockerCheck, pingDocker } from './preflight/ping-docker.js';
export { describePreflight, type Preflight } from './preflight/preflight.js';
export type { ApplyOptions, ApplyResult } from './runner/apply.js';
export type { JobProgress } from './runner/apply-events.js';
export { type OutputsOptions, type OutputValue, presentOutputs } from './runner/outputs.js';
export type { PlanOptions, PlanResult, PlanStatus } from './runner/plan.js';
export type { AttributeChange, PlanSummary, ResourceChange } from './runner/plan-summary.js';
export { type ConfigSealer, createConfigSealer } from './secrets/config-sealer.js';
export {
  ENVELOPE_FORMAT,
  type Envelope,
  isEnvelope,
  type MasterKey,
  openEnvelope,
  parseMasterKey,
  SecretKeyError,
  sealEnvelope,
} from './secrets/envelope.js';
export { makeOwnerOnly, mkdirPrivate } from './secrets/owner-only.js';
export {
  createStateDecrypter,
  deriveStateKey,
  isEncryptedPayload,
  KEY_PROVIDER_SCRIPT,
  MIN_PASSPHRASE_LENGTH,
  type ResolvedStateEncryption,
  renderEncryptionConfig,
  resolveStateEncryption,
  STATE_KEY_ITERATIONS,
  type StateDecrypter,
  type StateEncryptionOptions,
  type StateKey,
  stateKeyDir,
  writeStateKeyFiles,
} from './secrets/state-encryption.js';
export type { CreateNetworkInput, NetworkConfig } from './service/network-config.js';
export { type CreateServiceInput, holdsResources, type ServiceConfig } from './service/service-config.js';
export { probeConditionalWrites } from './store/conditional-writes.js';
// The S3 key layout stays inside the engine: callers name targets, never keys.
export { describeTarget, type TargetRef, targetKeyOf } from './store/keys.js';
export { ObjectCache } from './store/object-cache.js';
export type { StateJson } from './store/read-state.js';
export { createS3Store, type S3Store, type S3StoreOptions } from './store/s3-store.js';
export { stripAnsi } from './tofu/ansi.js';
export { findTofu, type TofuBinary } from './tofu/binary.js';
export {
  ProviderMirrorError,
  type ProviderSource,
  parseProviderMirror,
} from './tofu/cli-config.js';
export { tofuSpawnerPid } from './tofu/spawner.js';
