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
});
