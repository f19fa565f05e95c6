import { describe, expect, it } from 'vitest';
import { explainFailure } from './explain-failure.js';

// Outputs of OpenTofu 1.10 and kreuzwerker/docker 4.6 on this kind of machine, as the engine reads them.
describe('explainFailure', () => {
  it('names the provider missing from the mirror and the setting to fix', () => {
    const lines = [
      '- Finding kreuzwerker/docker versions matching "~> 4.6"...',
      '╷',
      '│ Error: Failed to query available provider packages',
      '│ ',
      '│ Could not retrieve the list of available versions for provider',
      '│ kreuzwerker/docker: provider registry.opentofu.org/kreuzwerker/docker was not',
      '│ found in any of the search locations',
      '│ ',
      '│   - /srv/empty-mirror',
      '╵',
    ];
    expect(explainFailure(lines)).toBe(
      'The provider kreuzwerker/docker is not in the provider mirror: add it to the folder or network mirror SPAWNIT_PROVIDER_MIRROR points to (see the README), or unset SPAWNIT_PROVIDER_MIRROR to use the registry.',
    );
  });

  it('names the registry that cannot be reached and suggests a mirror', () => {
    const lines = [
      'Error: Failed to resolve provider packages',
      '',
      'Could not resolve provider kreuzwerker/docker: could not connect to',
      'registry.opentofu.org: failed to request discovery document: Get',
      '"https://registry.opentofu.org/.well-known/terraform.json": dial tcp: lookup',
      'registry.opentofu.org on 10.255.255.53:53: no such host',
    ];
    expect(explainFailure(lines)).toMatch(
      /^The provider kreuzwerker\/docker could not be installed: registry\.opentofu\.org cannot be reached from this machine\. Set SPAWNIT_PROVIDER_MIRROR/,
    );
  });

  it('names the Docker host that does not answer', () => {
    const lines = [
      "Error: failed to create Docker client: Error pinging Docker server, please make sure that unix:///tmp/nonexistent.sock is reachable and has a  '_ping' endpoint. Error: Cannot connect to the Docker daemon at unix:///tmp/nonexistent.sock. Is the docker daemon running?",
      '',
      '  with docker_image.x,',
    ];
    expect(explainFailure(lines)).toBe(
      "Docker does not answer at unix:///tmp/nonexistent.sock: start Docker there, or set DOCKER_HOST (in SpawnIt's environment) to the Docker engine that runs local services.",
    );
  });

  it('names the image Docker could not pull and the settings that substitute it', () => {
    const lines = [
      'module.this.module.instances.docker_image.this["postgresql"]: Creating...',
      '╷',
      '│ Error: Unable to read Docker image into resource: unable to pull image postgres:17.6-alpine: error pulling image postgres:17.6-alpine: Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host',
      '│ ',
      '│   with module.this.module.instances.docker_image.this["postgresql"],',
      '│   on ../../modules/docker/instances/main.tf line 16, in resource "docker_image" "this":',
      '╵',
    ];
    const message = explainFailure(lines);
    expect(message).toMatch(
      /^Docker could not pull the image postgres:17\.6-alpine \(Error response from daemon: Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp: lookup registry-1\.docker\.io/,
    );
    expect(message).toMatch(/SPAWNIT_IMAGE_MAP, pull through a registry mirror with SPAWNIT_IMAGE_MIRROR/);
    expect(message).not.toMatch(/with module\.this/);
  });

  it('leaves any other failure to the last lines', () => {
    expect(
      explainFailure(['Error: Invalid value for variable', 'params.port must be between 1024 and 65535.']),
    ).toBeUndefined();
  });
});
