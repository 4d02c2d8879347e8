import { exportJWK, FlattenedSign, generateKeyPair, type JWK } from 'jose';
import { type AccountKey, verifyAcmeJws, type VerifyOptions } from '../../../src/acme/jws/verify';

const URL = 'https://ca.test/acme/new-order';
const PREFIX = 'https://ca.test/acme/acct/';

async function key() {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: (await exportJWK(publicKey)) as JWK };
}

async function signed(privateKey: CryptoKey | import('jose').KeyLike, header: Record<string, unknown>) {
  return new FlattenedSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'ES256', url: URL, ...header } as never).sign(privateKey);
}

/** The nonce of a kid request is redeemed with the account lookup, and given back when the request fails before its nonce check. */
describe('JWS verification and the nonce', () => {
  function options(account: AccountKey, fresh: boolean | null) {
    const calls = { released: [] as string[], consumed: [] as string[] };
    const opts: VerifyOptions = {
      requestUrl: URL,
      expectKey: 'kid',
      accountUrlPrefix: PREFIX,
      lookupAccount: async () => ({ account, nonceFresh: fresh }),
      consumeNonce: async (n) => (calls.consumed.push(n), true),
      releaseNonce: async (n) => void calls.released.push(n),
    };
    return { opts, calls };
  }

  test('a valid request uses the redemption made with the lookup', async () => {
    const k = await key();
    const { opts, calls } = options({ accountId: 'a1', jwk: k.jwk, status: 'valid' }, true);
    const v = await verifyAcmeJws(await signed(k.privateKey, { kid: `${PREFIX}a1`, nonce: 'n1' }), opts);
    expect(v.account?.accountId).toBe('a1');
    expect(calls).toEqual({ released: [], consumed: [] });
  });

  test('a forged signature releases the nonce it redeemed', async () => {
    const owner = await key();
    const forger = await key();
    const { opts, calls } = options({ accountId: 'a1', jwk: owner.jwk, status: 'valid' }, true);
    await expect(verifyAcmeJws(await signed(forger.privateKey, { kid: `${PREFIX}a1`, nonce: 'n2' }), opts)).rejects.toMatchObject({ type: 'malformed' });
    expect(calls.released).toEqual(['n2']);
  });

  test('a wrong url releases the nonce; a used nonce is badNonce and is not released', async () => {
    const k = await key();
    const first = options({ accountId: 'a1', jwk: k.jwk, status: 'valid' }, true);
    await expect(verifyAcmeJws(await signed(k.privateKey, { kid: `${PREFIX}a1`, nonce: 'n3', url: 'https://elsewhere.test/' }), first.opts)).rejects.toMatchObject({ type: 'unauthorized' });
    expect(first.calls.released).toEqual(['n3']);
    const used = options({ accountId: 'a1', jwk: k.jwk, status: 'valid' }, false);
    await expect(verifyAcmeJws(await signed(k.privateKey, { kid: `${PREFIX}a1`, nonce: 'n4' }), used.opts)).rejects.toMatchObject({ type: 'badNonce' });
    expect(used.calls.released).toEqual([]);
  });
});
