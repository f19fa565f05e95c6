/** Replaces every secret in a line with "(sensitive value)"; the identity when there are none. */
export function createRedactor(secrets: readonly string[] | undefined): (line: string) => string {
  if (!secrets || secrets.length === 0) return (line) => line;
  // Most lines hold no secret: looked for before anything is split, so a burst of output allocates nothing here.
  return (line) =>
    secrets.reduce(
      (out, secret) => (out.includes(secret) ? out.split(secret).join('(sensitive value)') : out),
      line,
    );
}
