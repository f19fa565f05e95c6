import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { writePrivateFile } from '../fs/write-private-file.js';

const KEYS_FILE = 'jwks.json';
const ALG = 'RS256';

/**
 * The provider's private signing keys (a JWKS), from `<dataDir>/jwks.json`, generated there on first
 * use: tokens signed before a restart keep verifying after it.
 */
export async function loadSigningKeys(dataDir: string): Promise<{ keys: JWK[] }> {
  const path = join(dataDir, KEYS_FILE);
  try {
    const jwks = JSON.parse(await readFile(path, 'utf8')) as { keys?: JWK[] };
    if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) {
      throw new Error(
        `${path} holds no keys; delete it to generate new ones (tokens issued so far become invalid).`,
      );
    }
    return { keys: jwks.keys };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const key: JWK = { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALG, use: 'sig' };
  await writePrivateFile(path, `${JSON.stringify({ keys: [key] }, null, 2)}\n`);
  return { keys: [key] };
}
