/** Replaces every secret in a line with "(sensitive value)"; the identity when there are none. */
export function createRedactor(secrets: readonly string[] | undefined): (line: string) => string {
  if (!secrets || secrets.length === 0) return (line) => line;
  return (line) => secrets.reduce((out, secret) => out.split(secret).join('(sensitive value)'), line);
}
