import { Client } from 'pg';

/**
 * Distinct statement texts a connection keeps prepared. The product's statements are a few dozen
 * fixed texts (lists travel as array parameters), so the cap only guards against a caller that
 * builds texts with values in them; past it, new texts simply run unprepared.
 */
export const MAX_PREPARED_PER_CONNECTION = 500;

/**
 * A connection that prepares each parameterised statement the first time it sends it and reuses
 * it after: PostgreSQL then parses and plans the hot statements once per connection instead of on
 * every request (planning was close to half of PostgreSQL's time per issued certificate). Texts
 * without parameters go as they are, so several statements in one string still work.
 *
 * A named statement lives on its connection only; a replaced connection starts empty. A pooler
 * in transaction mode must track protocol-level prepared statements (PgBouncer 1.21 and later,
 * with max_prepared_statements set).
 */
export class PreparingClient extends Client {
  private readonly names = new Map<string, string>();

  override query(config: unknown, values?: unknown, callback?: unknown): any {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const name = this.nameFor(config);
      if (name) return (super.query as (...a: unknown[]) => unknown)({ name, text: config, values }, callback);
    }
    return (super.query as (...a: unknown[]) => unknown)(config, values, callback);
  }

  private nameFor(text: string): string | null {
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= MAX_PREPARED_PER_CONNECTION) return null;
      name = `cl${this.names.size}`;
      this.names.set(text, name);
    }
    return name;
  }
}
