import { describe, expect, it } from 'vitest';
import { ProviderMirrorError, parseProviderMirror, renderCliConfig } from './cli-config.js';

describe('renderCliConfig', () => {
  it('uses the registries when no mirror is set', () => {
    const text = renderCliConfig({ pluginCacheDir: '/data/plugin-cache' });
    expect(text).toBe('plugin_cache_dir   = "/data/plugin-cache"\ndisable_checkpoint = true\n');
  });

  it('installs only from a filesystem mirror folder', () => {
    const text = renderCliConfig({ pluginCacheDir: '/c', providerMirror: '/srv/providers' });
    expect(text).toContain('filesystem_mirror {\n    path = "/srv/providers"\n  }');
    expect(text).not.toContain('direct');
  });

  it('adds the slash a network mirror URL needs', () => {
    const text = renderCliConfig({
      pluginCacheDir: '/c',
      providerMirror: 'https://mirror.example/providers',
    });
    expect(text).toContain('url = "https://mirror.example/providers/"');
  });
});

describe('parseProviderMirror', () => {
  it.each(['relative/path', 'http://plain.example/', 'ftp://x', '/a"b'])(
    'refuses %s, naming the setting',
    (value) => {
      expect(() => parseProviderMirror(value)).toThrow(ProviderMirrorError);
      expect(() => parseProviderMirror(value)).toThrow(/SPAWNIT_PROVIDER_MIRROR/);
    },
  );

  it('treats an empty value as the registries', () => {
    expect(parseProviderMirror('  ')).toEqual({ kind: 'registry' });
  });
});
