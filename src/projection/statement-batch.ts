// pg's own value formatting and quoting, so a literal means exactly what the bound parameter would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue, escapeLiteral } = require('pg/lib/utils') as {
  prepareValue(v: unknown): string | null;
  escapeLiteral(s: string): string;
};
import type { SqlTx } from './projection';

/**
 * Records the statements projections issue, so a whole batch of events reaches PostgreSQL in one
 * round trip instead of one per statement. Projections only write (they never read what a query
 * returns), which is what makes deferring them safe; `query` therefore answers with no rows.
 */
export class StatementBatch implements SqlTx {
  private readonly statements: string[] = [];
  private bytes = 0;

  async query(text: string, params: unknown[] = []): Promise<{ rows: any[]; rowCount: number | null }> {
    const sql = inlineParameters(text, params);
    this.statements.push(sql);
    this.bytes += sql.length;
    return { rows: [], rowCount: null };
  }

  get size(): number {
    return this.statements.length;
  }

  /** Large enough that one more event should start a new round trip. */
  get full(): boolean {
    return this.statements.length >= 2000 || this.bytes >= 4_000_000;
  }

  /** Sends every recorded statement as one simple-protocol query and forgets them. */
  async flush(tx: SqlTx): Promise<void> {
    if (this.statements.length === 0) return;
    const text = this.statements.join(';\n');
    this.statements.length = 0;
    this.bytes = 0;
    await tx.query(text);
  }
}

/** Replaces $1…$n with quoted literals; a $n inside a quoted string is left alone. */
export function inlineParameters(text: string, params: readonly unknown[]): string {
  if (params.length === 0) return text;
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (!quoted && c === '$' && /[0-9]/.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (j < text.length && /[0-9]/.test(text[j])) j++;
      const n = Number(text.slice(i + 1, j));
      if (n < 1 || n > params.length) throw new Error(`statement refers to $${n} but has ${params.length} parameters`);
      out += literal(params[n - 1]);
      i = j - 1;
      continue;
    }
    out += c;
  }
  return out;
}

function literal(value: unknown): string {
  const prepared = prepareValue(value);
  return prepared === null ? 'NULL' : escapeLiteral(prepared);
}
