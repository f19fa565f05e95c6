/**
 * The parsers of the engine's settings, without the engine (`@spawnit/engine/settings`): the API reads its
 * configuration with these before it loads the rest, so its start can load the engine beside other work.
 */
export {
  ImageSettingError,
  type ImageSubstitution,
  parseImageSubstitution,
  parsePublishIp,
} from './config/images.js';
export { parseMasterKey, SecretKeyError } from './secrets/envelope.js';
export type { StateEncryptionOptions } from './secrets/state-encryption.js';
export { ProviderMirrorError, parseProviderMirror } from './tofu/cli-config.js';
