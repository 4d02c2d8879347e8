import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The dependency rules of .dependency-cruiser.js hold for the whole product. */
test('no import breaks the architecture rules', () => {
  const root = join(__dirname, '..', '..');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), 'src', 'projections', 'bench', '--config', '.dependency-cruiser.js', '--output-type', 'err'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(r.stdout + r.stderr).toContain('no dependency violations found');
  expect(r.status).toBe(0);
}, 120_000);
