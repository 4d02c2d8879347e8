// pg's own value formatting and quoting, so a literal means exactly what the bound parameter would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue, escapeLiteral } = require('pg/lib/utils') as {
  prepareValue(v: unknown): string | null;
  escapeLiteral(s: string): string;
};
import type { TransactionQuery } from '../eventstore/event-store';

/**
 * Records the statements projections issue, so a whole batch of events reaches PostgreSQL in one
 * round trip instead of one per statement. Projections only write (they never read what a query
 * returns), which is what makes deferring them safe; `query` therefore answers with no rows.
 */
export class StatementBatch implements TransactionQuery {
  /** Each entry is one statement; consecutive plain INSERTs of one shape share an entry. */
  private readonly statements: Array<{ sql: string; insert?: { shape: string; rows: string[] } }> = [];
  private count = 0;
  private bytes = 0;

  async query(text: string, params: unknown[] = []): Promise<{ rows: any[]; rowCount: number | null }> {
    this.count++;
    const insert = NOT_PLAIN.test(text) ? null : PLAIN_INSERT.exec(text);
    const last = this.statements[this.statements.length - 1];
    if (insert) {
      const row = inlineParameters(insert[2], params);
      this.bytes += row.length;
      // A plain INSERT of the same shape as the one before becomes one more row of it: the server
      // then plans one statement for the whole run instead of one per event.
      if (last?.insert?.shape === text) last.insert.rows.push(row);
      else this.statements.push({ sql: insert[1], insert: { shape: text, rows: [row] } });
    } else {
      const sql = inlineParameters(text, params);
      this.bytes += sql.length;
      this.statements.push({ sql });
    }
    return { rows: [], rowCount: null };
  }

  /** How many statements were recorded (before any merging). */
  get size(): number {
    return this.count;
  }

  /** Large enough that one more event should start a new round trip. */
  get full(): boolean {
    return this.count >= 5000 || this.bytes >= 4_000_000;
  }

  /** Sends every recorded statement as one simple-protocol query and forgets them. */
  async flush(tx: TransactionQuery): Promise<void> {
    if (this.statements.length === 0) return;
    const text = this.statements.map((st) => (st.insert ? `${st.sql} ${st.insert.rows.join(',\n')}` : st.sql)).join(';\n');
    this.statements.length = 0;
    this.count = 0;
    this.bytes = 0;
    await tx.query(text);
  }
}

/** INSERT INTO t (columns) VALUES (…) with nothing after the row: rows of several can be merged. */
const NOT_PLAIN = /\bON\s+CONFLICT\b|\bRETURNING\b|\bSELECT\b/i;
const PLAIN_INSERT = /^\s*(INSERT\s+INTO\s+[\w.]+\s*\([^)]*\)\s*VALUES)\s*(\([\s\S]*\))\s*$/i;

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
