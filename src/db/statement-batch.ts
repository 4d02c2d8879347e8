// pg's own value formatting, so a literal means exactly what the bound parameter would.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(v: unknown): string | null };
import type { TransactionQuery } from '../eventstore/event-store';
import type { Statement } from './pipelined-statements';

/**
 * Records the statements projections issue, so a whole batch of events reaches PostgreSQL in one
 * round trip instead of one per statement. Projections only write (they never read what a query
 * returns), which is what makes deferring them safe; `query` therefore answers with no rows.
 *
 * Two ways out: `take` as one simple-protocol text with the values written in as literals (runs
 * of plain INSERTs of one shape merged into one multi-row INSERT, so a catch-up batch is planned
 * once per run), and `takeStatements` as they were recorded, with their parameters, for a
 * pipeline of prepared statements (see pipelined-statements.ts).
 */
export class StatementBatch implements TransactionQuery {
  private statements: Statement[] = [];
  private recordedBytes = 0;

  async query(text: string, params: unknown[] = []): Promise<{ rows: any[]; rowCount: number | null }> {
    const st = { text, params };
    this.statements.push(st);
    this.recordedBytes += statementBytes(st);
    return { rows: [], rowCount: null };
  }

  /** How many statements were recorded (before any merging). */
  get size(): number {
    return this.statements.length;
  }

  /** About how many bytes the recorded statements take on the wire (`statementBytes`). */
  get bytes(): number {
    return this.recordedBytes;
  }

  /** Large enough that one more event should start a new round trip. */
  get full(): boolean {
    return this.statements.length >= 5000 || this.recordedBytes >= 4_000_000;
  }

  /** Sends every recorded statement as one simple-protocol query and forgets them. */
  async flush(tx: TransactionQuery): Promise<void> {
    const text = this.take();
    if (text) await tx.query(text);
  }

  /** Every recorded statement as one text ('' when none), for the caller to send; forgets them. */
  take(): string {
    const out: Array<string | { shape: string; head: string; rows: string[] }> = [];
    for (const st of this.takeStatements()) {
      const insert = NOT_PLAIN.test(st.text) ? null : PLAIN_INSERT.exec(st.text);
      if (!insert) {
        out.push(inlineParameters(st.text, st.params));
        continue;
      }
      // A plain INSERT of the same shape as the one before becomes one more row of it: the server
      // then plans one statement for the whole run instead of one per event.
      const row = inlineParameters(insert[2], st.params);
      const last = out[out.length - 1];
      if (typeof last === 'object' && last.shape === st.text) last.rows.push(row);
      else out.push({ shape: st.text, head: insert[1], rows: [row] });
    }
    return out.map((x) => (typeof x === 'string' ? x : `${x.head} ${x.rows.join(',\n')}`)).join(';\n');
  }

  /** Every recorded statement as recorded, in order; forgets them. */
  takeStatements(): Statement[] {
    const taken = this.statements;
    this.statements = [];
    this.recordedBytes = 0;
    return taken;
  }
}

/**
 * About how many bytes a statement takes on the wire, its values included: what the size caps of
 * a batch count. Set-based projection statements carry arrays of megabytes.
 */
export function statementBytes(st: Statement): number {
  let n = st.text.length;
  for (const p of st.params) n += valueBytes(p);
  return n;
}

function valueBytes(v: unknown): number {
  if (v === null || v === undefined) return 4;
  if (typeof v === 'string') return v.length;
  if (Buffer.isBuffer(v)) return v.length * 2;
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + valueBytes(x) + 3, 2);
  if (typeof v === 'object' && !(v instanceof Date)) return JSON.stringify(v).length;
  return 24;
}

/** INSERT INTO t (columns) VALUES (…) with nothing after the row: rows of several can be merged. */
const NOT_PLAIN = /\bON\s+CONFLICT\b|\bRETURNING\b|\bSELECT\b/i;
const PLAIN_INSERT = /^\s*(INSERT\s+INTO\s+[\w.]+\s*\([^)]*\)\s*VALUES)\s*(\([\s\S]*\))\s*$/i;

/** A statement split once into its text pieces and the parameter between each pair of them. */
interface Template {
  pieces: string[];
  params: number[];
}
const templates = new Map<string, Template>();

function compile(text: string): Template {
  let t = templates.get(text);
  if (t) return t;
  t = { pieces: [''], params: [] };
  // Quoted strings are kept whole, so a $n inside one is text, not a parameter.
  for (const part of text.split(/('(?:[^']|'')*')/)) {
    if (part.startsWith("'")) {
      t.pieces[t.pieces.length - 1] += part;
      continue;
    }
    const bits = part.split(/\$(\d+)/);
    t.pieces[t.pieces.length - 1] += bits[0];
    for (let i = 1; i < bits.length; i += 2) {
      t.params.push(Number(bits[i]));
      t.pieces.push(bits[i + 1]);
    }
  }
  if (templates.size >= 1000) templates.clear();
  templates.set(text, t);
  return t;
}

/** Replaces $1…$n with quoted literals; a $n inside a quoted string is left alone. */
export function inlineParameters(text: string, params: readonly unknown[]): string {
  if (params.length === 0) return text;
  const t = compile(text);
  let out = t.pieces[0];
  for (let i = 0; i < t.params.length; i++) {
    const n = t.params[i];
    if (n < 1 || n > params.length) throw new Error(`statement refers to $${n} but has ${params.length} parameters`);
    out += literal(params[n - 1]) + t.pieces[i + 1];
  }
  return out;
}

function literal(value: unknown): string {
  const prepared = prepareValue(value);
  return prepared === null ? 'NULL' : quote(prepared);
}

/**
 * pg's escapeLiteral, character for character: quotes doubled, and when there is a backslash, every
 * one doubled in an E'' string. pg builds it one character at a time, which costs about a tenth of
 * a second per megabyte: the array literal of a set-based statement's column is that large.
 */
export function quote(text: string): string {
  const quoted = `'${text.replace(/'/g, "''")}'`;
  return text.includes('\\') ? ` E${quoted.replace(/\\/g, '\\\\')}` : quoted;
}
