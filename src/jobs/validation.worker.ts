import { type AuthorizationState, decideAuthorization, evolveAuthorization, type ValidationOutcome } from '../domain/authorization';
import { caaRefusal } from '../validation/caa';
import { AcmeError } from '../domain/errors';
import type { CaaCheckData } from '../domain/events';
import { streams } from '../domain/streams';
import { type AcmeDeps, authorizationContext } from '../commands/acme-deps';
import { handleCommand } from '../commands/handle-command';
import { loadAuthorization } from '../commands/order-view';
import type { ChallengeValidator } from '../validation/validator';
import { QUEUES } from './job-queue';
import type { ValidationJob } from './requested-work';

/**
 * Performs one requested validation and records its outcome on the authorization, removing the
 * request's safety-net job (`jobId`) in the same transaction. Safe to run twice (after a crash or
 * an expired lease): an outcome is only recorded while the challenge is still processing.
 * `started` is the validation the request already began (and did not see end in time), whose
 * outcome is recorded instead of validating again.
 */
export async function runValidationJob(
  deps: AcmeDeps,
  validator: ChallengeValidator,
  job: ValidationJob,
  attempts: number,
  jobId: string,
  known?: KnownAuthorization,
  started?: Promise<ValidationOutcome>,
): Promise<void> {
  // Started by the request that asked for it, the authorization is the one that request just
  // appended to: reading it again would only cost a transaction. If it moved on meanwhile, the
  // append below conflicts and the retry decides on the stream as it is.
  const loaded = known ?? (await loadAuthorization(deps, job.authzId));
  const authz = loaded.state;
  const challenge = authz?.challenges.find((c) => c.challengeId === job.challengeId);
  if (!authz || !challenge || challenge.status !== 'processing' || !challenge.keyAuthorization) return;
  const outcome = await (started ?? performValidation(deps, validator, authz, challenge.challengeId, attempts));
  await handleCommand<AuthorizationState>(deps.aggregates, {
    streamId: streams.authz(job.authzId),
    evolve: evolveAuthorization,
    metadata: { actor: 'system:validation' },
    known: loaded,
    decide: (state) => ({
      events: decideAuthorization(state, { type: 'RecordValidation', challengeId: job.challengeId, outcome }, authorizationContext(deps)),
      inTransaction: (tx) => deps.jobs.dropIn(tx, QUEUES.validation, jobId),
    }),
  });
  if (!outcome.ok) await deps.limits?.recordFailedValidation(authz.accountId, authz.identifier.value);
}

type Outcome = ValidationOutcome;

/**
 * The outcome of validating `challengeId` of `authz` (its challenge processing, with its key
 * authorization): the challenge itself with its retries, and CAA beside it. Every failure is an
 * outcome; only an unexpected error rejects.
 */
export async function performValidation(deps: AcmeDeps, validator: ChallengeValidator, authz: AuthorizationState, challengeId: string, attempts: number): Promise<Outcome> {
  const challenge = authz.challenges.find((c) => c.challengeId === challengeId);
  if (!challenge?.keyAuthorization) throw new Error(`challenge ${challengeId} of authorization ${authz.authzId} has no key authorization to validate`);
  const caa = startCaa(deps, authz, challenge.type);
  return withCaa(await validateWithRetries(validator, authz, challenge, attempts), caa);
}

/** An authorization as its last append left it. */
export interface KnownAuthorization {
  state: AuthorizationState | null;
  revision: number;
}

/**
 * CAA (RFC 8659) decides whether this CA may issue for the name once the challenge passed; the
 * check, allowed or not, is recorded with the outcome, and a refusal or a failed lookup fails the
 * challenge with a `caa` or `dns` problem. IP identifiers have no CAA. The lookups start with the
 * challenge and run beside it, so a validation takes the longer of the two, not their sum; when
 * the challenge fails, the check is not recorded.
 */
function startCaa(deps: AcmeDeps, authz: AuthorizationState, method: string): Promise<CaaCheckData | AcmeError> | null {
  if (!deps.caa || authz.identifier.type !== 'dns') return null;
  return deps.caa.check({ domain: authz.identifier.value, wildcard: authz.wildcard, method, accountId: authz.accountId }).catch((e: unknown) =>
    e instanceof AcmeError ? e : new AcmeError('serverInternal', `CAA check failed: ${(e as Error).message}`),
  );
}

async function withCaa(outcome: Outcome, check: Promise<CaaCheckData | AcmeError> | null): Promise<Outcome> {
  if (!outcome.ok || !check) return outcome;
  const caa = await check;
  if (caa instanceof AcmeError) return { ok: false, error: caa.toProblem(), record: outcome.record };
  if (caa.allowed) return { ...outcome, caa };
  return { ok: false, error: caaRefusal(caa).toProblem(), record: outcome.record, caa };
}

async function validateWithRetries(validator: ChallengeValidator, authz: AuthorizationState, challenge: AuthorizationState['challenges'][number], attempts: number): Promise<Outcome> {
  let last: AcmeError | null = null;
  for (let i = 0; i < attempts; i++) {
    try {
      const record = await validator.validate(challenge.type, { domain: authz.identifier.value, token: challenge.token, keyAuthorization: challenge.keyAuthorization! });
      return { ok: true, record: { ...record, attempts: i + 1 } };
    } catch (e) {
      last = e instanceof AcmeError ? e : new AcmeError('serverInternal', `validation failed: ${(e as Error).message}`);
      // Only transient network failures are worth another try; a wrong answer stays wrong, and
      // an address the policy refuses is refused again.
      if ((last.type !== 'connection' && last.type !== 'dns') || last.extra.addressPolicy) break;
      await new Promise((r) => setTimeout(r, 500 * (i + 1)));
    }
  }
  // What was checked before the failure goes into the event's record, not twice into its error.
  const { validationRecord, ...problem } = last!.toProblem();
  const record = (validationRecord as Record<string, unknown> | undefined) ?? { type: challenge.type, hostname: authz.identifier.value };
  return { ok: false, error: problem as ReturnType<AcmeError['toProblem']>, record };
}
