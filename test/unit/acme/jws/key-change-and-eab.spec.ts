// Guards the nested JWSs of RFC 8555: the keyChange inner JWS (§7.3.5, src/acme/jws/key-change.ts)
// and the External Account Binding of newAccount (§7.3.4, src/acme/jws/eab.ts), each rule with its
// exact ACME problem type. That the new key is not already another account's, and that an EAB key
// binds once and not after revocation, is decided by the account handlers: see
// test/integration/commands/account-commands.spec.ts.
import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { verifyEabBinding } from '../../../../src/acme/jws/eab';
import { verifyKeyChangeInner } from '../../../../src/acme/jws/key-change';
import { sign, signingKey, type SigningKey, unsigned } from './support/jws';

const KEY_CHANGE_URL = 'https://ca.test/acme/key-change';
const NEW_ACCOUNT_URL = 'https://ca.test/acme/new-acct';
const ACCOUNT_URL = 'https://ca.test/acme/acct/a1';

describe('keyChange inner JWS (§7.3.5)', () => {
  let oldKey: SigningKey;
  let newKey: SigningKey;
  let opts: { requestUrl: string; accountUrl: string; currentThumbprint: string };
  beforeAll(async () => {
    oldKey = await signingKey('ES256');
    newKey = await signingKey('ES384');
    opts = { requestUrl: KEY_CHANGE_URL, accountUrl: ACCOUNT_URL, currentThumbprint: await calculateJwkThumbprint(oldKey.jwk, 'sha256') };
  });
  const inner = (header: Record<string, unknown> = {}, payload: unknown = { account: ACCOUNT_URL, oldKey: oldKey.jwk }, key = newKey) =>
    sign(key, { jwk: newKey.jwk, url: KEY_CHANGE_URL, ...header }, payload);

  test('signed by the new key, naming the account and its current key: the new key and its thumbprint', async () => {
    const r = await verifyKeyChangeInner(await inner(), opts);
    expect(r).toEqual({ newJwk: newKey.jwk, newThumbprint: await calculateJwkThumbprint(newKey.jwk, 'sha256') });
  });

  test('the inner JWS must be flattened, with an accepted algorithm', async () => {
    const jws = await inner();
    await expect(verifyKeyChangeInner(`${jws.protected}.${jws.payload}.${jws.signature}`, opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(unsigned({ alg: 'none', jwk: newKey.jwk, url: KEY_CHANGE_URL }), opts)).rejects.toMatchObject({ type: 'badSignatureAlgorithm' });
  });

  test('the new key travels as jwk, never as kid; no nonce; the same url as the outer JWS', async () => {
    await expect(verifyKeyChangeInner(await inner({ jwk: undefined, kid: ACCOUNT_URL }), opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(await inner({ kid: ACCOUNT_URL }), opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(await inner({ nonce: 'n' }), opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(await inner({ url: NEW_ACCOUNT_URL }), opts)).rejects.toMatchObject({ type: 'malformed' });
  });

  test('a signature by another key than the new one is malformed', async () => {
    const impostor = await signingKey('ES384');
    await expect(verifyKeyChangeInner(await inner({}, undefined, impostor), opts)).rejects.toMatchObject({ type: 'malformed' });
  });

  test('account and oldKey must name the account of the outer JWS and its current key', async () => {
    const stranger = await signingKey('ES256');
    await expect(verifyKeyChangeInner(await inner({}, { account: 'https://ca.test/acme/acct/other', oldKey: oldKey.jwk }), opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(await inner({}, { account: ACCOUNT_URL, oldKey: stranger.jwk }), opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(await inner({}, { account: ACCOUNT_URL }), opts)).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyKeyChangeInner(await inner({}, 'not json'), opts)).rejects.toMatchObject({ type: 'malformed' });
  });
});

describe('External Account Binding (§7.3.4)', () => {
  const KEY_ID = 'eab-key-1';
  const hmac = new Uint8Array(randomBytes(32));
  let account: SigningKey;
  beforeAll(async () => {
    account = await signingKey('ES256');
  });
  const lookupKey = async (id: string) => (id === KEY_ID ? hmac : null);
  const opts = () => ({ accountJwk: account.jwk, requestUrl: NEW_ACCOUNT_URL, lookupKey });
  const binding = (header: Record<string, unknown> = {}, payload: unknown = account.jwk, key: Uint8Array = hmac, alg = 'HS256') =>
    sign({ alg, privateKey: key }, { kid: KEY_ID, url: NEW_ACCOUNT_URL, ...header }, payload);

  test('an HS256/384/512 MAC by the EAB key over the account key verifies to the key id', async () => {
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      await expect(verifyEabBinding(await binding({}, account.jwk, hmac, alg), opts())).resolves.toBe(KEY_ID);
    }
  });

  test('a signature algorithm instead of a MAC is malformed', async () => {
    const jws = await sign(account, { kid: KEY_ID, url: NEW_ACCOUNT_URL }, account.jwk);
    await expect(verifyEabBinding(jws, opts())).rejects.toMatchObject({ type: 'malformed' });
  });

  test('the binding needs the key id as kid, no nonce, and the newAccount url', async () => {
    await expect(verifyEabBinding(await binding({ kid: undefined }), opts())).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyEabBinding(await binding({ nonce: 'n' }), opts())).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyEabBinding(await binding({ url: 'https://ca.test/acme/new-order' }), opts())).rejects.toMatchObject({ type: 'malformed' });
  });

  test('an unknown key id, or a MAC by another key, is unauthorized', async () => {
    await expect(verifyEabBinding(await binding({ kid: 'no-such-key' }), opts())).rejects.toMatchObject({ type: 'unauthorized' });
    await expect(verifyEabBinding(await binding({}, account.jwk, new Uint8Array(randomBytes(32))), opts())).rejects.toMatchObject({ type: 'unauthorized' });
  });

  test('the payload must be the key signing the newAccount request', async () => {
    const other = await signingKey('ES256');
    await expect(verifyEabBinding(await binding({}, other.jwk), opts())).rejects.toMatchObject({ type: 'unauthorized' });
    await expect(verifyEabBinding(await binding({}, 'not json'), opts())).rejects.toMatchObject({ type: 'malformed' });
  });

  test('a binding that is not a flattened JWS is malformed', async () => {
    await expect(verifyEabBinding('a.b.c', opts())).rejects.toMatchObject({ type: 'malformed' });
    await expect(verifyEabBinding({ payload: '' }, opts())).rejects.toMatchObject({ type: 'malformed' });
  });
});
