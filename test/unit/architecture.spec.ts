import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** The dependency rules of .dependency-cruiser.js hold for the whole product (see docs/architecture.md). */
test('no import breaks the architecture rules', () => {
  const r = spawnSync(process.execPath, [join(root, 'test', 'support', 'cruise-rules.mjs'), 'src', 'projections', 'bench'], { cwd: root, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const { totalCruised, violations } = JSON.parse(r.stdout) as { totalCruised: number; violations: Violation[] };
  expect(totalCruised).toBeGreaterThan(200);
  expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
}, 120_000);

/** The rules catch what they are written for: a violation planted in a scratch module is reported. */
test('the architecture rules report a violation', () => {
  const dir = mkdtempSync(join(root, 'src', 'commands', '.rules-probe-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), "export { AcmeController } from '../../acme/http/acme.controller';\n");
    const r = spawnSync(process.execPath, [join(root, 'test', 'support', 'cruise-rules.mjs'), relative(root, dir)], { cwd: root, encoding: 'utf8' });
    const { violations } = JSON.parse(r.stdout) as { violations: Violation[] };
    expect(violations.map((v) => v.rule.name)).toContain('application-does-not-use-the-web-edges');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return d.name.endsWith('.ts') ? [path] : [];
  });
}

const root = join(__dirname, '..', '..');
const product = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'projections'))].map((path) => ({
  path: relative(root, path),
  text: readFileSync(path, 'utf8'),
}));

/** Decisions belong to the deciders: every event of the catalog is built in src/domain only. */
test('no event is constructed outside src/domain', () => {
  const outside = product
    .filter((f) => !f.path.startsWith('src/domain/'))
    .flatMap((f) => f.text.split('\n').map((line, i) => ({ where: `${f.path}:${i + 1}`, line })))
    .filter(({ line }) => /\bevent\(\s*'[A-Z]/.test(line) || /import\s*\{[^}]*\bevent\b[^}]*\}\s*from\s*'[./]*\/domain/.test(line));
  expect(outside.map((o) => `${o.where}: ${o.line.trim()}`)).toEqual([]);
});

/** Every decider the domain exports is called by the product (directly or by a decider that is). */
test('every domain decider has a caller', () => {
  const deciders = product
    .filter((f) => f.path.startsWith('src/domain/'))
    .flatMap((f) => [...f.text.matchAll(/export function (decide\w+)/g)].map((m) => m[1]));
  expect(deciders.length).toBeGreaterThan(10);
  const uncalled = deciders.filter((name) => {
    const calls = product.reduce((n, f) => n + (f.text.match(new RegExp(`\\b${name}\\(`, 'g'))?.length ?? 0), 0);
    return calls < 2; // the definition itself is one match
  });
  expect(uncalled).toEqual([]);
});
