import { randomBytes } from 'node:crypto';
import { listEabKeys } from '../../projections/eab-keys/queries';
import type { Db } from '../db/db';
import { saveEabSecret } from '../db/eab-secrets-store';
import type { AggregateStore } from '../commands/aggregate-store';
import { handleCommand } from '../commands/handle-command';
import { type AccountState, decideAccount, evolveAccount } from '../domain/account';
import { decideCreateEabKey, decideRevokeEabKey, type EabKeyState, evolveEabKey } from '../domain/eab';
import { AcmeError } from '../domain/errors';
import { dnsNameProblem } from '../domain/identifiers';
import { streams } from '../domain/streams';

/**
 * External Account Binding keys for acme.eab_required: created with an id and an HMAC shown once,
 * listed without their secret, revoked (which also deactivates the account bound to the key).
 */
export class EabKeys {
  constructor(
    private readonly pool: Db,
    private readonly aggregates: AggregateStore,
  ) {}

  async create(allowedIdentifiers: string[], note: string | null, meta: Record<string, unknown>): Promise<{ key_id: string; hmac_key: string; allowed_identifiers: string[] }> {
    for (const p of allowedIdentifiers) {
      const problem = dnsNameProblem(p.toLowerCase());
      if (problem) throw new AcmeError('malformed', `allowed identifier '${p}': ${problem}`);
    }
    const keyId = randomBytes(12).toString('base64url');
    const hmac = randomBytes(32);
    const allowed = allowedIdentifiers.map((p) => p.toLowerCase());
    await saveEabSecret(this.pool, keyId, hmac);
    await handleCommand<EabKeyState>(this.aggregates, {
      streamId: streams.eabKey(keyId),
      evolve: evolveEabKey,
      create: true,
      metadata: meta,
      decide: (state) => decideCreateEabKey(state, keyId, allowed, note),
    });
    return { key_id: keyId, hmac_key: hmac.toString('base64url'), allowed_identifiers: allowed };
  }

  async list(): Promise<Array<Record<string, unknown>>> {
    return listEabKeys(this.pool);
  }

  async revoke(keyId: string, reason: string | null, meta: Record<string, unknown>): Promise<{ key_id: string; deactivated_account: string | null }> {
    const key = (
      await handleCommand<EabKeyState>(this.aggregates, {
        streamId: streams.eabKey(keyId),
        evolve: evolveEabKey,
        metadata: meta,
        decide: (state) => decideRevokeEabKey(state, keyId, reason),
      })
    ).state!;
    let deactivated: string | null = null;
    if (key.boundAccountId) {
      const accountId = key.boundAccountId;
      const handled = await handleCommand<AccountState>(this.aggregates, {
        streamId: streams.account(accountId),
        evolve: evolveAccount,
        metadata: meta,
        decide: (state) =>
          state?.status === 'valid' ? decideAccount(state, { type: 'DeactivateAccount', by: 'admin', reason: `EAB key ${keyId} revoked` }, { now: new Date(), policy: { termsOfServiceRequired: false } }) : [],
      });
      if (handled.events.length > 0) deactivated = accountId;
    }
    return { key_id: keyId, deactivated_account: deactivated };
  }
}
