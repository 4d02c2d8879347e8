/**
 * The database handle query functions take as their first argument: a pool, a pooled client or a
 * transaction all fit. Naming it here keeps `pg` out of the modules that only pass it along.
 */
export interface Db {
  query(text: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
}
