import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA, describeConfigKeys, loadConfig } from '../../../src/config';

/**
 * docs/configuration.md must list exactly the schema's keys, with the same types, defaults and
 * descriptions. The tables are read as markdown, independently of the code that generates them.
 */
const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');

interface Row {
  section: string;
  key: string;
  type: string;
  default: string;
  description: string;
}

function documentedRows(): Row[] {
  const rows: Row[] = [];
  let section = '';
  for (const line of doc.split('\n')) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) section = heading[1];
    if (!line.startsWith('| `')) continue;
    // Split on pipes that are not escaped; "\|" inside a cell is part of the text.
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|'));
    expect(cells).toHaveLength(4);
    rows.push({ section, key: cells[0].replace(/^`|`$/g, ''), type: cells[1], default: cells[2], description: cells[3] });
  }
  return rows;
}

/** The default cell read back as a value: (unset) is null, `[...]` a list, numbers and booleans typed. */
function parseDefault(cell: string, like: unknown): unknown {
  if (cell === '(unset)') return null;
  const text = cell.replace(/^`|`$/g, '');
  if (Array.isArray(like)) return JSON.parse(text);
  if (typeof like === 'number') return Number(text);
  if (typeof like === 'boolean') return text === 'true';
  return text;
}

test('the reference lists exactly the schema keys, in order, with the same types, defaults and descriptions', () => {
  const rows = documentedRows();
  const keys = describeConfigKeys();
  expect(rows.map((r) => r.key)).toEqual(keys.map((k) => k.key));
  for (const [i, k] of keys.entries()) {
    expect({ key: rows[i].key, type: rows[i].type, default: parseDefault(rows[i].default, k.default), description: rows[i].description }).toEqual({
      key: k.key,
      type: k.type,
      default: k.default,
      description: k.description,
    });
  }
});

test('one table per section: each key sits under the heading of its section', () => {
  for (const r of documentedRows()) {
    expect(r.section).toBe(r.key.includes('.') ? r.key.split('.')[0] : 'Top level');
  }
});

test('every key has a description and a default in the schema', () => {
  for (const k of describeConfigKeys()) {
    expect(k.description.length).toBeGreaterThan(5);
    expect(k.schema).toHaveProperty('default');
  }
  for (const [name, s] of Object.entries(CONFIG_SCHEMA.properties as Record<string, Record<string, unknown>>)) {
    expect(typeof s.description).toBe('string');
    if (name !== '_comment') expect(s).toHaveProperty('default');
  }
});

test('the typed defaults have exactly the keys the schema describes', () => {
  const leaves = (o: Record<string, unknown>, prefix = ''): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      v && typeof v === 'object' && !Array.isArray(v) ? leaves(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
    );
  const { written: _written, ...config } = loadConfig({ env: {} });
  expect(leaves(config).sort()).toEqual(describeConfigKeys().map((k) => k.key).sort());
});
