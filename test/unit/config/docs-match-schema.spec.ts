import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeConfigKeys } from '../../../src/config';
import { formatDefault } from '../../../src/config/render-docs';

/** docs/configuration.md must list exactly the schema's keys with the same defaults. */
test('docs/configuration.md documents every key with the default the code uses', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([^`]+)` \| [^|]*(?:\\\|[^|]*)* \| (.*?) \| /gm)].map((m) => ({ key: m[1], default: m[2] }));
  const schema = describeConfigKeys().map((k) => ({ key: k.key, default: formatDefault(k.default) }));
  expect(documented).toEqual(schema);
  for (const k of describeConfigKeys()) expect(k.description.length).toBeGreaterThan(5);
});
