/** The README's way to run pnpm on a machine without it installed: every command SpawnIt prints uses it. */
export const PNPM = 'npx --yes pnpm@10.34.8';
