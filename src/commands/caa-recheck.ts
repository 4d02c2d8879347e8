import { type AuthorizationState, caaRecheckDue, decideCaaRecheck, evolveAuthorization } from '../domain/authorization';
import { streams } from '../domain/streams';
import { caaRefusal } from '../validation/caa';
import type { AcmeDeps, RequestMeta } from './acme-deps';
import { handleCommand } from './handle-command';

const EIGHT_HOURS_MS = 8 * 3_600_000;

/**
 * Before issuance, CAA is checked again for every dns authorization whose last check is older
 * than validation.caa_recheck_after (BR 3.2.2.8), or that was never checked (validated before
 * CAA checking, or reused). Each recheck is recorded on its authorization; a refusal stops the
 * finalize with a `caa` problem, a failed lookup with a `dns` one.
 */
export async function recheckCaa(deps: AcmeDeps, authorizations: AuthorizationState[], meta: RequestMeta & { actor: string }): Promise<void> {
  if (!deps.caa) return;
  const now = deps.now();
  const due = authorizations.filter((a) => a.identifier.type === 'dns' && a.status === 'valid' && caaRecheckDue(a, now, deps.policy.caaRecheckAfterMs ?? EIGHT_HOURS_MS));
  for (const authz of due) {
    const method = authz.challenges.find((c) => c.status === 'valid')?.type ?? 'unknown';
    const caa = await deps.caa.check({ domain: authz.identifier.value, wildcard: authz.wildcard, method, accountId: authz.accountId });
    await handleCommand<AuthorizationState>(deps.aggregates, {
      streamId: streams.authz(authz.authzId),
      evolve: evolveAuthorization,
      metadata: meta,
      decide: (state) => decideCaaRecheck(state!, caa),
    });
    if (!caa.allowed) throw caaRefusal(caa);
  }
}
