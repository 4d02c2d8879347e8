import { EventEmitter } from 'node:events';
import type { Client, Pool, PoolClient } from 'pg';
// pg's own row decoding and value formatting, so rows and parameters mean what a plain query's do.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Result = require('pg/lib/result') as new () => { addFields(fields: unknown[]): void; parseRow(data: unknown[]): Record<string, any> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue(v: unknown): unknown };

/** One parameterised statement. */
export interface Statement {
  text: string;
  params: readonly unknown[];
}

/** pg's wire connection, as far as this file drives it. */
interface WireConnection extends EventEmitter {
  parsedStatements: Record<string, string>;
  stream: { cork?(): void; uncork?(): void };
  parse(msg: { text: string; name: string; types: unknown[] }): void;
  bind(msg: { statement: string; portal: string; values: readonly unknown[] }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(msg: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(msg: string): void;
}

/**
 * Statement names of the pipelined statements, one per text for the whole process, so a name
 * means the same text on every connection. Distinct from PreparingClient's, which count per
 * connection. The product sends a few dozen fixed texts; past the cap, texts go unnamed.
 */
const names = new Map<string, string>();
const MAX_NAMED = 500;
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return '';
    name = `pl${names.size}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Statements sent in one round trip and run as one transaction: Bind and Execute for each (Parse
 * too the first time a connection sees a text, so from then on PostgreSQL plans it at most once
 * per connection instead of once per call, as it must for literals in a simple query), then one
 * Sync. Outside an explicit transaction block the statements up to a Sync form one implicit
 * transaction, which the Sync commits; a failing statement makes the server skip the rest and roll
 * all of it back, leaving the connection idle. Inside a BEGIN block the Sync ends nothing: the
 * statements are the block's, as if sent one by one.
 *
 * The rows of the first statement are what it answers; the others are only executed.
 */
class PipelinedStatements extends EventEmitter {
  callback?: (err: Error | null, rows?: Record<string, any>[]) => void;
  private readonly result = new Result();
  private readonly rows: Record<string, any>[] = [];
  /** Index of the statement whose replies arrive now. */
  private current = 0;
  private failed = false;
  private unlisten?: () => void;

  constructor(private readonly statements: readonly Statement[]) {
    super();
  }

  /**
   * Called by pg's client when the connection is free. An Error returned here (a value that cannot
   * be sent) fails the pipeline before anything is written, and pg frees the connection again.
   */
  submit(connection: WireConnection): Error | null {
    // Every value is formatted before the first message is written: a value that throws half way
    // would leave messages on the wire with no Sync after them, and the connection waiting forever.
    let values: unknown[][];
    try {
      values = this.statements.map((st) => st.params.map((v) => prepareValue(v)));
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    // Names a connection parsed are recorded as each ParseComplete arrives, in the order sent: a
    // statement that fails leaves the names after it unparsed, and they are sent again next time.
    // An unnamed Parse is answered too, so it holds its place in the queue with an empty name.
    const parsing: Array<{ name: string; text: string }> = [];
    const onParsed = () => {
      const p = parsing.shift();
      if (p?.name) connection.parsedStatements[p.name] = p.text;
    };
    connection.on('parseComplete', onParsed);
    this.unlisten = () => connection.removeListener('parseComplete', onParsed);
    connection.stream.cork?.();
    try {
      for (const [i, st] of this.statements.entries()) {
        const name = nameOf(st.text);
        // A text that comes again in this pipeline is parsed once, by its first occurrence.
        if (!name || (connection.parsedStatements[name] === undefined && !parsing.some((p) => p.name === name))) {
          connection.parse({ text: st.text, name, types: [] });
          parsing.push({ name, text: st.text });
        }
        connection.bind({ statement: name, portal: '', values: values[i] });
        if (i === 0) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: unknown[] }): void {
    if (this.current === 0) this.result.addFields(msg.fields);
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    if (this.current === 0) this.rows.push(this.result.parseRow(msg.fields));
  }

  handleCommandComplete(): void {
    this.current++;
  }

  handleEmptyQuery(): void {
    this.current++;
  }

  handlePortalSuspended(): void {}

  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('COPY is not supported in pipelined statements');
  }

  handleCopyData(): void {}

  /** The server's error (it then skips to the Sync), or the connection's. */
  handleError(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.unlisten?.();
    this.callback?.(err);
  }

  handleReadyForQuery(): void {
    if (this.failed) return;
    this.unlisten?.();
    this.callback?.(null, this.rows);
  }
}

/**
 * Runs `statements` on `client` in one round trip (see PipelinedStatements) and answers the first
 * one's rows.
 */
export function runPipelined(client: Pool | PoolClient | Client, statements: readonly Statement[]): Promise<Record<string, any>[]> {
  if (statements.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    // With the callback as the second argument, a pool puts its own in front of it, which gives the
    // connection back before this one runs; a client calls it as it is.
    const done = (err: Error | null, rows?: Record<string, any>[]) => (err ? reject(err) : resolve(rows!));
    (client.query as unknown as (q: unknown, cb: typeof done) => void)(new PipelinedStatements(statements), done);
  });
}
