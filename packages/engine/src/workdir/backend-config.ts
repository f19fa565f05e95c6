import type { S3Store } from '../store/s3-store.js';

export interface BackendSettings {
  store: S3Store;
  stateKey: string;
  /** Use the S3 native lockfile (`<key>.tflock`, written with `If-None-Match: *`). */
  useLockfile: boolean;
  /** A shared credentials file holding the store's keys, under the `spawnit-state` profile. */
  credentialsFile?: string;
}

export const STATE_PROFILE = 'spawnit-state';

function hclString(value: string): string {
  return JSON.stringify(value);
}

/**
 * The S3 backend settings as a `.tfbackend` file. Credentials stay out of it (they would be copied into
 * `.terraform/` and into every saved plan): they come from a 0600 credentials file through a profile.
 */
export function renderBackendConfig(settings: BackendSettings): string {
  const { store } = settings;
  const lines = [
    `bucket = ${hclString(store.bucket)}`,
    `key    = ${hclString(settings.stateKey)}`,
    `region = ${hclString(store.region)}`,
    `use_lockfile = ${settings.useLockfile}`,
  ];
  if (store.options.endpoint) {
    lines.push(
      `endpoints = { s3 = ${hclString(store.options.endpoint)} }`,
      // A non-AWS endpoint has no STS, no IAM and no instance metadata to ask.
      'skip_credentials_validation = true',
      'skip_requesting_account_id  = true',
      'skip_metadata_api_check     = true',
      'skip_region_validation      = true',
      'skip_s3_checksum            = true',
    );
  }
  if (store.forcePathStyle) lines.push('use_path_style = true');
  if (settings.credentialsFile) {
    lines.push(
      `profile = ${hclString(STATE_PROFILE)}`,
      `shared_credentials_files = [${hclString(settings.credentialsFile)}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderCredentialsFile(accessKeyId: string, secretAccessKey: string): string {
  return `[${STATE_PROFILE}]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`;
}
