export { type App, type AppOptions, buildApp } from './app.js';
export {
  AuthError,
  type AuthErrorCode,
  createTokenVerifier,
  DEFAULT_ALGORITHMS,
  type TokenVerifier,
  type TokenVerifierOptions,
  type Viewer,
} from './auth/verify-token.js';
export type { Context } from './builder.js';
export { type ApiConfig, ConfigError, ENV_VARIABLES, loadConfig } from './config.js';
export { DEFAULT_MAX_LIST_COST, listCost } from './list-cost.js';
export { printSchemaFile } from './print-schema.js';
export { schema } from './schema/index.js';
export {
  createWebHandler,
  isWebBuilt,
  type ServeWebOptions,
  WEB_DIST_DIR,
  type WebConfig,
  webRedirectUris,
} from './serve-web.js';
export { runApiTokenCommand } from './token-command.js';
export { DEFAULT_QUERY_LIMITS, type QueryLimits } from './use-hardening.js';
