import { describe, expect, it } from 'vitest';
import { withoutChecksums } from './prepare-workdir.js';

// As `tofu init` 1.10 writes it, for two providers.
const LOCK = `# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/hashicorp/random" {
  version     = "3.6.3"
  constraints = ">= 3.0.0"
  hashes = [
    "h1:4pZjdFdDgZ2Zo9S0eu5xwA1U8ZZL1bFBGQWmeUy1jqU=",
    "zh:1bfd2e54b4eee8c761a40b6d99d45880b3a71abc18a9a7a5319204da9c8363b2",
  ]
}

provider "registry.opentofu.org/kreuzwerker/docker" {
  version     = "4.6.0"
  constraints = "4.6.0"
  hashes = [
    "h1:LN5jT1gtHPkSLI390sAdKjjVCaDwqzw7t27mp/rWJDM=",
  ]
}
`;

describe('withoutChecksums', () => {
  it('drops every hashes list and keeps each provider, its version and its constraints', () => {
    expect(withoutChecksums(LOCK)).toBe(`# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/hashicorp/random" {
  version     = "3.6.3"
  constraints = ">= 3.0.0"
}

provider "registry.opentofu.org/kreuzwerker/docker" {
  version     = "4.6.0"
  constraints = "4.6.0"
}
`);
  });

  it('leaves a lock file without checksums as it is', () => {
    const once = withoutChecksums(LOCK);
    expect(withoutChecksums(once)).toBe(once);
  });
});
