/**
 * The name a new-network form starts with: the first wanted name that is not a network yet, else empty (a
 * name that exists already would only be refused).
 */
export function suggestNetworkName(
  taken: readonly string[],
  wanted: readonly (string | undefined)[],
): string {
  return wanted.find((name): name is string => !!name && !taken.includes(name)) ?? '';
}
