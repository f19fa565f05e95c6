/**
 * Turns the failures a user can fix outside SpawnIt into one sentence that names the provider, host or image and
 * says what to do; `undefined` for any other failure (the caller then shows tofu's last lines). The raw output
 * stays in the job's log either way.
 */
export function explainFailure(lines: readonly string[]): string | undefined {
  // tofu wraps long messages over several lines: read them as one text, colours and box-drawing stripped.
  const text = lines
    .map((line) =>
      line
        .replace(/\u001b\[[0-9;]*m/g, '')
        .replace(/^[│╷╵]\s?/, '')
        .trim(),
    )
    .join(' ')
    .replace(/\s+/g, ' ');

  const notInMirror = /provider ([\w.-]+\/[\w-]+\/[\w-]+) was not found in any of the search locations/.exec(
    text,
  );
  if (notInMirror) {
    return `The provider ${shortName(notInMirror[1] as string)} is not in the provider mirror: add it to the folder or network mirror SPAWNIT_PROVIDER_MIRROR points to (see the README), or unset SPAWNIT_PROVIDER_MIRROR to use the registry.`;
  }
  const noRegistry =
    /Could not resolve provider ([\w-]+\/[\w-]+): could not connect to ([\w.-]+)/.exec(text) ??
    /Could not retrieve the list of available versions for provider ([\w-]+\/[\w-]+): could not connect to ([\w.-]+)/.exec(
      text,
    );
  if (noRegistry) {
    return `The provider ${noRegistry[1]} could not be installed: ${noRegistry[2]} cannot be reached from this machine. Set SPAWNIT_PROVIDER_MIRROR to a folder or network mirror that holds it (see the README), or open access to ${noRegistry[2]}.`;
  }
  const noDocker =
    /Cannot connect to the Docker daemon at ([^\s]+?)\.? Is the docker daemon running\?/.exec(text) ??
    /please make sure that ([^\s]+) is reachable/.exec(text);
  if (noDocker) {
    return `Docker does not answer at ${noDocker[1]}: start Docker there, or set DOCKER_HOST (in SpawnIt's environment) to the Docker engine that runs local services.`;
  }
  const pull =
    /unable to pull image ([^\s:]+(?::[^\s:]+)?): .*?(Error response from daemon: .*?)(?: with [\w.[\]"]+,| on [\w./-]+ line \d+|$)/.exec(
      text,
    );
  if (pull) {
    return `Docker could not pull the image ${pull[1]} (${pull[2]?.trim()}): map it to an image Docker can get with SPAWNIT_IMAGE_MAP, pull through a registry mirror with SPAWNIT_IMAGE_MIRROR, or let Docker reach its registry.`;
  }
  return undefined;
}

/** `registry.opentofu.org/kreuzwerker/docker` -> `kreuzwerker/docker`. */
function shortName(address: string): string {
  return address.split('/').slice(-2).join('/');
}
