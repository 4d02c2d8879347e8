import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfigKeys, describeConfigSections, type KeyDescription } from './schema-walk';

/**
 * The key reference of docs/configuration.md, one table per section, generated from the schema:
 * `npm run docs:config` prints it, `npm run docs:config -- --write` replaces it in the document
 * (between the two markers; run from the project root). A unit test reads the document back and compares it with the schema.
 */
export const REFERENCE_START = '<!-- config-reference:start (generated from src/config/schema.ts) -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

export function renderConfigReference(): string {
  const keys = describeConfigKeys();
  const blocks: string[] = [];
  const top = keys.filter((k) => !k.key.includes('.'));
  if (top.length > 0) blocks.push(['### Top level', '', table(top)].join('\n'));
  for (const s of describeConfigSections()) {
    const rows = keys.filter((k) => k.key.startsWith(`${s.name}.`));
    blocks.push([`### ${s.name}`, '', `${capitalize(s.description)}.`, '', table(rows)].join('\n'));
  }
  return blocks.join('\n\n');
}

function table(rows: KeyDescription[]): string {
  return [
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows.map((k) => `| \`${k.key}\` | ${cell(k.type)} | ${cell(formatDefault(k.default))} | ${cell(k.description)} |`),
  ].join('\n');
}

/** How a default appears in the docs: as YAML would show it, or "(unset)". */
export function formatDefault(v: unknown): string {
  if (v === null || v === undefined) return '(unset)';
  if (Array.isArray(v)) return `\`[${v.map((x) => JSON.stringify(x)).join(', ')}]\``;
  return `\`${String(v)}\``;
}

/** A markdown table cell: pipes escaped so they are not read as column separators. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Replaces the generated part of the document; the text around the markers is kept. */
export function writeReferenceInto(docPath: string): void {
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(REFERENCE_START);
  const end = doc.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`${docPath}: the reference markers are missing`);
  writeFileSync(docPath, `${doc.slice(0, start + REFERENCE_START.length)}\n\n${renderConfigReference()}\n\n${doc.slice(end)}`);
}

if (require.main === module) {
  if (process.argv.includes('--write')) writeReferenceInto(join(process.cwd(), 'docs', 'configuration.md'));
  else process.stdout.write(`${renderConfigReference()}\n`);
}
