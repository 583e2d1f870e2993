/**
 * Test access to the shared benchmark instances (`../shared/bench/fjsp` beside the
 * repository, as on the workplace and in CI). A missing folder fails the test that needs
 * it with a clear message instead of aborting the whole run at load time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FJSP_DIR = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'bench', 'fjsp');

/** Text of a Brandimarte instance, e.g. `mk01`. @throws Error naming the missing path */
export function brandimarte(name: string): string {
  const file = join(FJSP_DIR, 'brandimarte', `${name}.txt`);
  if (!existsSync(file)) throw new Error(`benchmark instance missing: ${file} (the shared/ folder must sit beside the repository)`);
  return readFileSync(file, 'utf8');
}
