/**
 * The database handle query functions take as their first argument: a pool, a pooled client or a
 * transaction all fit. Naming it here keeps `pg` out of the modules that only pass it along.
 */
export interface Db {
  query(text: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}

/**
 * A part of a statement another module composes into its own: `sql` numbers its placeholders
 * from `firstParam`, in the order of `params`. Two modules' reads then share one round trip.
 */
export interface SqlPart {
  sql(firstParam: number): string;
  params: unknown[];
}

/** A pooled connection: what a transaction runs on. */
export interface DbClient extends Db {
  release(): void;
}

/** A pool, for the few callers that need a transaction of several statements. */
export interface DbPool extends Db {
  connect(): Promise<DbClient>;
}

/** Runs `fn` in one transaction on a connection of `pool`: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(pool: DbPool, fn: (tx: Db) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
