import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDockerfile } from './dockerfile-rules.js';
import { repoRoot } from './hcl.js';

const images = [
  'bootstrap/images/backend.Dockerfile',
  'bootstrap/images/frontend.Dockerfile',
  'bootstrap/images/keycloak.Dockerfile',
  'bootstrap/images/s3.Dockerfile',
];
const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

describe('SpawnIt images', () => {
  it.each(images)('%s is multi-stage, pinned, verified and non-root', (file) => {
    expect(checkDockerfile(file, readFileSync(path.join(repoRoot, file), 'utf8'))).toEqual([]);
  });

  it('puts the OpenTofu and provider mirror all-deploy.sh staged into the backend image, and runs the API', () => {
    const text = read('bootstrap/images/backend.Dockerfile');
    expect(text).toContain('COPY bootstrap/.build/repo/tofu /usr/local/bin/tofu');
    expect(text).toContain('SPAWNIT_PROVIDER_MIRROR=/opt/spawnit/providers');
    expect(text).toContain('CMD ["node", "packages/api/dist/main.mjs"]');
  });

  it('downloads Keycloak from Maven Central checked against the SHA-256 all-deploy.sh pins', () => {
    const text = read('bootstrap/images/keycloak.Dockerfile');
    const pins = read('bootstrap/images/versions.env');
    const version = /^KEYCLOAK_VERSION=(\S+)$/m.exec(pins)?.[1];
    const sha = /^KEYCLOAK_SHA256=([0-9a-f]{64})$/m.exec(pins)?.[1];
    expect(text).toContain(`ARG KEYCLOAK_VERSION=${version}`);
    expect(text).toContain(`ARG KEYCLOAK_SHA256=${sha}`);
    expect(text).toContain('sha256sum --check --strict');
  });

  it('starts every image from BASE_IMAGE, so a site without a registry can use its own Debian', () => {
    for (const file of images) expect(read(file), file).toMatch(/^ARG BASE_IMAGE=debian:\d+\.\d+-slim$/m);
  });

  it('has a .dockerignore that keeps dependencies, state and git out of the build context', () => {
    const file = path.join(repoRoot, '.dockerignore');
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '.git',
        '**/node_modules',
        '**/*.tfstate',
        '**/.terraform',
        'bootstrap/.state',
        'bootstrap/.build/*',
        '!bootstrap/.build/repo',
      ]),
    );
  });
});

describe('checkDockerfile', () => {
  const good = [
    'ARG BASE=node:20.19.5-bookworm-slim',
    'FROM $BASE AS build',
    'RUN curl -fsSLo /x.zip https://example.com/x.zip \\',
    ' && echo "abc  /x.zip" | sha256sum -c -',
    'FROM build AS runtime',
    'USER node',
    'HEALTHCHECK CMD ["true"]',
  ].join('\n');

  it('accepts a good file', () => {
    expect(checkDockerfile('f', good)).toEqual([]);
  });

  it.each([
    ['an unpinned base', good.replace('node:20.19.5-bookworm-slim', 'node'), /FROM node is not pinned/],
    [
      'a latest base',
      good.replace('node:20.19.5-bookworm-slim', 'node:latest'),
      /FROM node:latest is not pinned/,
    ],
    ['a single stage', good.replace('FROM build AS runtime\n', ''), /build in stages/],
    ['no USER', good.replace('USER node\n', ''), /sets no USER/],
    ['USER root', good.replace('USER node', 'USER root'), /runs as root/],
    [
      'an unchecked download',
      good.replace(' && echo "abc  /x.zip" | sha256sum -c -', ''),
      /without checking its SHA-256/,
    ],
    ['an ADD of a URL', `${good}\nADD https://example.com/x /x`, /ADD of a URL without --checksum/],
    ['no health check', good.replace('HEALTHCHECK CMD ["true"]', ''), /no HEALTHCHECK/],
  ])('refuses %s', (_what, text, message) => {
    expect(checkDockerfile('f', text).join('\n')).toMatch(message);
  });
});
