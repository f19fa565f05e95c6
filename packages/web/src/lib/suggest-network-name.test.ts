import { describe, expect, it } from 'vitest';
import { suggestNetworkName } from './suggest-network-name';

describe('suggestNetworkName', () => {
  it('offers the first wanted name that is not a network yet', () => {
    expect(suggestNetworkName([], [undefined, 'default'])).toBe('default');
    expect(suggestNetworkName(['default'], ['backend', 'default'])).toBe('backend');
  });

  it('offers nothing rather than a name that exists already', () => {
    expect(suggestNetworkName(['default'], [undefined, 'default'])).toBe('');
    expect(suggestNetworkName(['default', 'db'], ['db', 'default'])).toBe('');
  });
});
