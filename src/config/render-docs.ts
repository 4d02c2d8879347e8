import { describeConfigKeys } from './schema-walk';

/** The reference table of docs/configuration.md, generated from the schema (`npm run docs:config`). */
export function renderConfigTable(): string {
  const rows = describeConfigKeys().map(
    (k) => `| \`${k.key}\` | ${k.type} | ${formatDefault(k.default)} | ${k.description.replace(/\|/g, '\\|')} |`,
  );
  return ['| key | type | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

export function formatDefault(v: unknown): string {
  if (v === null || v === undefined) return '(unset)';
  return `\`${JSON.stringify(v)}\``;
}

if (require.main === module) process.stdout.write(`${renderConfigTable()}\n`);
