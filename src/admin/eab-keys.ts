import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { type AggregateStore, withRetry } from '../commands/aggregate-store';
import { type AccountState, evolveAccount } from '../domain/account';
import { type EabKeyState, evolveEabKey } from '../domain/eab';
import { AcmeError } from '../domain/errors';
import { event } from '../domain/events';
import { dnsNameProblem } from '../domain/identifiers';
import { streams } from '../domain/streams';
import type { ProjectionRunner } from '../projection/projection-runner';

/**
 * External Account Binding keys for acme.eab_required: created with an id and an HMAC shown once,
 * listed without their secret, revoked (which also deactivates the account bound to the key).
 */
export class EabKeys {
  constructor(
    private readonly pool: Pool,
    private readonly aggregates: AggregateStore,
    private readonly projections: ProjectionRunner,
  ) {}

  async create(allowedIdentifiers: string[], note: string | null, meta: Record<string, unknown>): Promise<{ key_id: string; hmac_key: string; allowed_identifiers: string[] }> {
    for (const p of allowedIdentifiers) {
      const problem = dnsNameProblem(p.toLowerCase());
      if (problem) throw new AcmeError('malformed', `allowed identifier '${p}': ${problem}`, [], { status: 400 });
    }
    const keyId = randomBytes(12).toString('base64url');
    const hmac = randomBytes(32);
    const allowed = allowedIdentifiers.map((p) => p.toLowerCase());
    await this.pool.query('INSERT INTO eab_secrets (key_id, hmac_key) VALUES ($1, $2)', [keyId, hmac]);
    const position = await this.aggregates.append([{ streamId: streams.eabKey(keyId), expected: 'no_stream', events: [event('EabKeyCreated', { keyId, allowedIdentifiers: allowed, note })] }], meta);
    if (position) await this.projections.waitFor(position, 10_000);
    return { key_id: keyId, hmac_key: hmac.toString('base64url'), allowed_identifiers: allowed };
  }

  async list(): Promise<Array<Record<string, unknown>>> {
    return (await this.pool.query('SELECT key_id, allowed_identifiers, note, created_at, created_by, revoked_at, bound_account_id FROM rm_eab_keys ORDER BY created_at, key_id')).rows;
  }

  async revoke(keyId: string, reason: string | null, meta: Record<string, unknown>): Promise<{ key_id: string; deactivated_account: string | null }> {
    const key = await withRetry(async () => {
      const loaded = await this.aggregates.load<EabKeyState>(streams.eabKey(keyId), evolveEabKey);
      if (!loaded.state) throw new AcmeError('malformed', `no EAB key ${keyId}`, [], { status: 404 });
      if (loaded.state.revoked) throw new AcmeError('malformed', `EAB key ${keyId} is already revoked`, [], { status: 409 });
      await this.aggregates.append([{ streamId: streams.eabKey(keyId), expected: loaded.revision, events: [event('EabKeyRevoked', { keyId, reason })] }], meta);
      return loaded.state;
    });
    let deactivated: string | null = null;
    if (key.boundAccountId) {
      const accountId = key.boundAccountId;
      await withRetry(async () => {
        const account = await this.aggregates.load<AccountState>(streams.account(accountId), evolveAccount);
        if (!account.state || account.state.status !== 'valid') return;
        await this.aggregates.append(
          [{ streamId: streams.account(accountId), expected: account.revision, events: [event('AccountDeactivated', { by: 'admin', reason: `EAB key ${keyId} revoked` })] }],
          meta,
        );
        deactivated = accountId;
      });
    }
    await this.projections.waitFor(await this.aggregates.store.headPosition(), 10_000);
    return { key_id: keyId, deactivated_account: deactivated };
  }
}
