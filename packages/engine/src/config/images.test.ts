import { describe, expect, it } from 'vitest';
import { ImageSettingError, parseImageSubstitution } from './images.js';

describe('parseImageSubstitution', () => {
  it('reads a JSON object and a comma list alike', () => {
    const expected = { map: { 'postgres:17.6-alpine': 'spawnit-local/postgres:17' }, mirror: '' };
    expect(parseImageSubstitution('{"postgres:17.6-alpine":"spawnit-local/postgres:17"}')).toEqual(expected);
    expect(parseImageSubstitution(' postgres:17.6-alpine = spawnit-local/postgres:17 ,')).toEqual(expected);
  });

  it('keeps a mirror prefix without its trailing slash', () => {
    expect(parseImageSubstitution(undefined, 'mirror.local:5000/hub/')).toEqual({
      map: {},
      mirror: 'mirror.local:5000/hub',
    });
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['["a"]', /JSON object/],
    ['postgres:17', /is not from=to/],
    ['redis:7=redis:latest', /must be pinned/],
    ['redis:7=redis', /must be pinned/],
    ['{"redis:7": 3}', /not a pair of image references/],
    ['redis:7=${evil}:1', /not a pair of image references/],
  ])('refuses %s and names SPAWNIT_IMAGE_MAP', (value, message) => {
    expect(() => parseImageSubstitution(value)).toThrow(ImageSettingError);
    expect(() => parseImageSubstitution(value)).toThrow(message);
    expect(() => parseImageSubstitution(value)).toThrow(/SPAWNIT_IMAGE_MAP/);
  });

  it('refuses a mirror with a space or quote', () => {
    expect(() => parseImageSubstitution('', 'bad host')).toThrow(/SPAWNIT_IMAGE_MIRROR/);
  });
});
