/** The client id of SpawnIt's web UI (public, PKCE). */
export const WEB_CLIENT_ID = 'spawnit-web';
/** The client id for scripts, tests and the `token` command (public, PKCE, loopback redirect). */
export const CLI_CLIENT_ID = 'spawnit-cli';
/** The CLI client's redirect URI; as a native client, any loopback port is accepted (RFC 8252). */
export const CLI_REDIRECT_URI = 'http://127.0.0.1/callback';
