import { parseArgs } from 'node:util';
import { fetchAccessToken } from './fetch-access-token.js';

export interface TokenCommandIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Asks for the password (e.g. on the terminal without echo) when SPAWNIT_PASSWORD is not set. */
  readPassword(prompt: string): Promise<string>;
}

const USAGE = `Usage: token <username> [--issuer <url>] [--resource <uri>] [--client <id>]

Signs <username> in to the OpenID provider and prints an access token for the SpawnIt API.
  --issuer    the provider (default: $SPAWNIT_OIDC_ISSUER)
  --resource  the API's resource indicator (default: the provider's default resource)
  --client    a public PKCE client with a loopback redirect (default: spawnit-cli)
The password comes from $SPAWNIT_PASSWORD, else it is asked for.
`;

/**
 * The core of `pnpm token <username>`: prints the user's access token on stdout, one line, so that
 * `curl -H "Authorization: Bearer $(pnpm -s token alice)"` works. Returns the exit code.
 */
export async function runTokenCommand(args: string[], io: TokenCommandIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const [username] = positionals;
  const issuer = values.issuer ?? io.env.SPAWNIT_OIDC_ISSUER;
  if (!username || positionals.length > 1 || !issuer) {
    io.stderr.write(
      `${!username ? 'Missing <username>.' : !issuer ? 'Missing the issuer: pass --issuer or set SPAWNIT_OIDC_ISSUER.' : 'Only one <username>.'}\n\n${USAGE}`,
    );
    return 2;
  }
  try {
    const password = io.env.SPAWNIT_PASSWORD ?? (await io.readPassword(`Password for ${username}: `));
    const tokens = await fetchAccessToken({
      issuer,
      username,
      password,
      ...(values.client ? { clientId: values.client } : {}),
      ...(values.resource ? { resource: values.resource } : {}),
    });
    io.stdout.write(`${tokens.accessToken}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      issuer: { type: 'string' },
      resource: { type: 'string' },
      client: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
