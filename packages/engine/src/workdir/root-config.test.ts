import { describe, expect, it } from 'vitest';
import { renderRootConfig } from './root-config.js';

describe('renderRootConfig', () => {
  it('marks secret parameters sensitive and re-exports template outputs', () => {
    const root = JSON.parse(
      renderRootConfig({
        moduleSource: '../../modules/services/db/local',
        outputs: [
          { name: 'host', description: 'Host.' },
          { name: 'url', description: 'URL.', secret: true },
        ],
        secretParams: ['password'],
      }),
    );
    expect(root.terraform).toEqual({ backend: { s3: {} } });
    expect(root.module.this).toEqual({
      source: '../../modules/services/db/local',
      context: '${var.context}',
      params: '${merge(var.params, { password = sensitive(lookup(var.params, "password", null)) })}',
    });
    expect(root.output).toEqual({
      host: { value: '${module.this.host}', description: 'Host.' },
      url: { value: '${module.this.url}', description: 'URL.', sensitive: true },
    });
  });

  it('passes params untouched without secrets, and exports a network module whole', () => {
    const root = JSON.parse(renderRootConfig({ moduleSource: '../network/local', secretParams: [] }));
    expect(root.module.this.params).toBe('${var.params}');
    expect(root.output).toEqual({ network: { value: '${module.this}' } });
  });

  it('merges the operator Docker settings into the context only when one is set', () => {
    const images = { map: { 'redis:7.4.5-alpine': 'spawnit-local/redis:8' }, mirror: '' };
    const root = JSON.parse(
      renderRootConfig({
        moduleSource: '../m',
        secretParams: [],
        platform: { images, publishIp: '127.0.0.1' },
      }),
    );
    expect(root.locals).toEqual({
      spawnit_platform: {
        image_map: { 'redis:7.4.5-alpine': 'spawnit-local/redis:8' },
        image_mirror: '',
        publish_ip: '127.0.0.1',
      },
    });
    expect(root.module.this.context).toBe('${merge(var.context, { platform = local.spawnit_platform })}');
    const plain = JSON.parse(
      renderRootConfig({
        moduleSource: '../m',
        secretParams: [],
        platform: { images: { map: {}, mirror: '' } },
      }),
    );
    expect(plain.locals).toBeUndefined();
    expect(plain.module.this.context).toBe('${var.context}');
  });

  it('writes no output block for a template that exports nothing (tofu refuses an empty one)', () => {
    const root = JSON.parse(renderRootConfig({ moduleSource: '../m', secretParams: [], outputs: [] }));
    expect(root).not.toHaveProperty('output');
  });
});
