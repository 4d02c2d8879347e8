import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package root (the folder holding package.json, migrations/ and projections/), found by
 * walking up from this file so the same code works from src/ under the test runner and from dist/.
 */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the certledger package root above ${__dirname}`);
    dir = parent;
  }
}
