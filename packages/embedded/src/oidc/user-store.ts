import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writePrivateFile } from '../fs/write-private-file.js';
import { hashPassword, verifyPassword } from './password-hash.js';

/** A user as stored in `users.json`: never the password, only its scrypt hash. */
export interface StoredUser {
  /** Stable account id, the `sub` of every token. */
  id: string;
  username: string;
  roles: string[];
  passwordHash: string;
}

/** A user given explicitly: its password, and roles (none by default). */
export type UserDefinition = string | { password: string; roles?: string[] };

/** A user created with a generated password, returned once so the caller can show it. */
export interface CreatedUser {
  username: string;
  password: string;
  roles: string[];
}

export interface UserStore {
  findById(id: string): StoredUser | undefined;
  /** The user when `password` is theirs; undefined otherwise (unknown user or wrong password). */
  authenticate(username: string, password: string): Promise<StoredUser | undefined>;
}

/** The users created at first start when no `users` option is given. */
export const DEFAULT_USERS: ReadonlyArray<{ username: string; roles: string[] }> = [
  { username: 'admin', roles: ['spawnit-admin'] },
  { username: 'alice', roles: [] },
  { username: 'bob', roles: [] },
];

const USERS_FILE = 'users.json';

/**
 * Loads `<dataDir>/users.json`, creating it on first use. With `definitions`, the users are exactly
 * those (passwords re-hashed, ids kept for known usernames); without, the default users get random
 * passwords the first time only, returned in `created`.
 */
export async function openUserStore(
  dataDir: string,
  definitions?: Record<string, UserDefinition>,
): Promise<{ store: UserStore; created: CreatedUser[] }> {
  const path = join(dataDir, USERS_FILE);
  const existing = await readUsers(path);
  const created: CreatedUser[] = [];
  let users: StoredUser[];

  if (definitions) {
    users = await Promise.all(
      Object.entries(definitions).map(async ([username, definition]) => {
        const { password, roles = [] } =
          typeof definition === 'string' ? { password: definition } : definition;
        const id = existing?.find((user) => user.username === username)?.id ?? randomUUID();
        return { id, username, roles, passwordHash: await hashPassword(password) };
      }),
    );
    await writeUsers(path, users);
  } else if (existing) {
    users = existing;
  } else {
    // Hashed side by side (scrypt runs on libuv's threads), in the order listed.
    users = await Promise.all(
      DEFAULT_USERS.map(async ({ username, roles }) => {
        const password = randomBytes(18).toString('base64url');
        created.push({ username, password, roles });
        return { id: randomUUID(), username, roles, passwordHash: await hashPassword(password) };
      }),
    );
    await writeUsers(path, users);
  }

  const byId = new Map(users.map((user) => [user.id, user]));
  const byName = new Map(users.map((user) => [user.username, user]));
  // Unknown usernames still pay for one scrypt check, so response times do not reveal which names exist. Its
  // hash is made while the start goes on (ready long before the first sign-in), not on the start's path.
  const decoy = hashPassword(randomBytes(18).toString('base64url'));
  decoy.catch(() => undefined);

  return {
    created,
    store: {
      findById: (id) => byId.get(id),
      async authenticate(username, password) {
        const user = byName.get(username);
        const matches = await verifyPassword(password, user?.passwordHash ?? (await decoy));
        return user && matches ? user : undefined;
      },
    },
  };
}

async function readUsers(path: string): Promise<StoredUser[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as { users?: StoredUser[] };
  if (!Array.isArray(parsed.users)) {
    throw new Error(`${path} has no "users" list; fix or delete it (deleting creates new default users).`);
  }
  return parsed.users;
}

async function writeUsers(path: string, users: StoredUser[]): Promise<void> {
  await writePrivateFile(path, `${JSON.stringify({ version: 1, users }, null, 2)}\n`);
}
