export { CLI_CLIENT_ID, CLI_REDIRECT_URI, WEB_CLIENT_ID } from './oidc/clients.js';
export { type CraftTokenOptions, craftToken } from './oidc/craft-token.js';
export {
  createOidcProvider,
  type OidcProvider,
  type OidcProviderOptions,
  type OidcProviderStartResult,
} from './oidc/create-oidc-provider.js';
export {
  type FetchAccessTokenOptions,
  fetchAccessToken,
  SignInError,
  type TokenSet,
} from './oidc/fetch-access-token.js';
export { runTokenCommand, type TokenCommandIo } from './oidc/token-command.js';
export type { CreatedUser, UserDefinition } from './oidc/user-store.js';
export { createS3Server, type S3Server, type S3ServerOptions } from './s3/create-s3-server.js';
export type { S3Credentials } from './s3/use-signature-v4.js';
