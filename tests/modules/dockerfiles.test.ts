import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDockerfile } from './dockerfile-rules.js';
import { repoRoot } from './hcl.js';

const images = ['bootstrap/images/backend.Dockerfile', 'bootstrap/images/frontend.Dockerfile'];

describe('SpawnIt images', () => {
  it.each(images)('%s is multi-stage, pinned, verified and non-root', (file) => {
    expect(checkDockerfile(file, readFileSync(path.join(repoRoot, file), 'utf8'))).toEqual([]);
  });

  it('installs OpenTofu in the backend image, checked against a pinned SHA-256', () => {
    const text = readFileSync(path.join(repoRoot, 'bootstrap/images/backend.Dockerfile'), 'utf8');
    expect(text).toMatch(/ARG TOFU_VERSION=\d+\.\d+\.\d+/);
    expect(text).toMatch(/ARG TOFU_SHA256=[0-9a-f]{64}/);
    expect(text).toContain('packages/api/src/main.ts');
  });

  it('has a .dockerignore that keeps dependencies, state and git out of the build context', () => {
    const file = path.join(repoRoot, '.dockerignore');
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual(
      expect.arrayContaining(['.git', '**/node_modules', '**/*.tfstate', '**/.terraform']),
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
