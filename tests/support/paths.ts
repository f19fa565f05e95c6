import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'tests/fixtures');
export const FIXTURE_CATALOG = path.join(FIXTURES, 'catalog');
export const FIXTURE_MODULES = path.join(FIXTURES, 'modules');
