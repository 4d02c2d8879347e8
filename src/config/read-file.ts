import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from './errors';

/**
 * Reads and parses the YAML file. Problems here stop loading at once (there is nothing to
 * validate yet) and name the file, with line and column for syntax errors.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new ConfigError([`${file}: configuration file does not exist`]);
    if (err.code === 'EISDIR') throw new ConfigError([`${file}: is a directory, not a configuration file`]);
    throw new ConfigError([`${file}: cannot read the configuration file: ${err.message}`]);
  }
  // uniqueKeys: a key written twice is a mistake, not "the last one wins".
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // prettyErrors appends " at line L, column C:" and a source excerpt; keep only the reason.
        const reason = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return `${file}${at ? `:${at.line}:${at.col}` : ''}: invalid YAML: ${reason}`;
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigError([`${file}: invalid YAML: ${(e as Error).message}`]);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([`${file}: the configuration must be a YAML mapping of sections (server:, database:, ...), got ${Array.isArray(value) ? 'a list' : `${typeof value} '${String(value)}'`}`]);
  }
  return value as Record<string, unknown>;
}
