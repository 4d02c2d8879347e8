import { crlEntryStats, listCrlEntries } from '../../projections/crl-entries/queries';
import { type CrlStateRow, findCrlState, lockCrlState, saveCrlState } from '../db/crl-state-store';
import { type DbPool, inTransaction } from '../db/db';
import type { CaBackend } from './ca-backend';

/**
 * Builds the issuer's CRL from rm_crl_entries and stores it in crl_state, where every instance
 * serves it from. A new CRL (with the next CRL number) is built when revocations were added since
 * the last one, and before the current one's refresh deadline.
 */
export interface CrlSettings {
  /** How long a CRL claims validity (nextUpdate - thisUpdate). */
  validityMs: number;
  /** Rebuild at least this often, well before nextUpdate. */
  refreshMs: number;
}

export interface StoredCrl {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  der: Buffer;
}

export class CrlBuilder {
  constructor(
    private readonly pool: DbPool,
    private readonly ca: CaBackend,
    private readonly settings: CrlSettings,
  ) {}

  /** Rebuilds when needed (or always with force); returns the CRL now current. */
  async refresh(now: Date, force = false): Promise<{ crl: StoredCrl; rebuilt: boolean }> {
    const issuer = this.ca.issuerName();
    return inTransaction(this.pool, async (tx) => {
      const row = await lockCrlState(tx, issuer);
      const stats = await crlEntryStats(tx);
      const changed = !row || row.revokedCount !== stats.count || String(row.lastRevokedAt) !== String(stats.lastRevokedAt);
      const due = !row || now.getTime() >= row.thisUpdate.getTime() + this.settings.refreshMs;
      if (!force && !changed && !due) return { crl: toStored(row), rebuilt: false };
      const entries = await listCrlEntries(tx);
      const crlNumber = row ? row.crlNumber + 1n : 1n;
      const thisUpdate = now;
      const nextUpdate = new Date(now.getTime() + this.settings.validityMs);
      const der = await this.ca.signCrl({ crlNumber, thisUpdate, nextUpdate, entries });
      await saveCrlState(tx, issuer, { crlNumber, thisUpdate, nextUpdate, der, revokedCount: stats.count, lastRevokedAt: stats.lastRevokedAt });
      return { crl: { crlNumber, thisUpdate, nextUpdate, der }, rebuilt: true };
    });
  }

  async current(): Promise<StoredCrl | null> {
    const row = await findCrlState(this.pool, this.ca.issuerName());
    return row && toStored(row);
  }
}

function toStored(row: CrlStateRow): StoredCrl {
  return { crlNumber: row.crlNumber, thisUpdate: row.thisUpdate, nextUpdate: row.nextUpdate, der: row.der };
}
