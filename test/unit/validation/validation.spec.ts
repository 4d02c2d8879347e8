import { addressRangeOf, assertAddressAllowed } from '../../../src/validation/address-policy';
import { ChallengeValidator } from '../../../src/validation/validator';
import type { ValidationOptions } from '../../../src/validation/options';
import { AcmeError } from '../../../src/domain/errors';
import { ChallengeRig } from '../../../bench/support/challenge-rig';

describe('address policy', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['192.0.2.1', 'reserved'],
  ])('%s (%s) is refused by default and allowed for labs', (address, range) => {
    expect(addressRangeOf(address)).toBe(range);
    expect(() => assertAddressAllowed(address, 'example.com', false)).toThrow(AcmeError);
    expect(() => assertAddressAllowed(address, 'example.com', true)).not.toThrow();
  });

  test.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])('%s (public) is allowed', (address) => {
    expect(() => assertAddressAllowed(address, 'example.com', false)).not.toThrow();
  });
});

describe('validators against a loopback rig', () => {
  const rig = new ChallengeRig();
  let opts: ValidationOptions;
  beforeAll(async () => {
    await rig.start();
    opts = { resolvers: [`127.0.0.1:${rig.dnsPort}`], http01Port: rig.httpPort, tlsAlpn01Port: rig.tlsPort, allowPrivateNetworks: true, timeoutMs: 3000, maxRedirects: 10, maxResponseBytes: 1024 };
  });
  afterAll(() => rig.stop());

  async function problem(p: Promise<unknown>): Promise<AcmeError> {
    const e = await p.then(() => null, (x) => x);
    expect(e).toBeInstanceOf(AcmeError);
    return e as AcmeError;
  }

  test('http-01 success records what was resolved and where it connected', async () => {
    rig.http.set('tok1', 'tok1.thumb');
    const record = await new ChallengeValidator(opts).validate('http-01', { domain: 'ok.va.test', token: 'tok1', keyAuthorization: 'tok1.thumb' });
    expect(record).toMatchObject({ type: 'http-01', hostname: 'ok.va.test', addressUsed: '127.0.0.1', addressesResolved: ['127.0.0.1'] });
    expect(record.url).toBe(`http://ok.va.test:${rig.httpPort}/.well-known/acme-challenge/tok1`);
  });

  test('by default a name resolving to loopback is refused before any connection', async () => {
    rig.http.set('tok2', 'tok2.thumb');
    const e = await problem(new ChallengeValidator({ ...opts, allowPrivateNetworks: false }).validate('http-01', { domain: 'private.va.test', token: 'tok2', keyAuthorization: 'tok2.thumb' }));
    expect(e.type).toBe('connection');
    expect(e.detail).toBe('private.va.test resolves to 127.0.0.1, a loopback address this CA does not connect to');
    expect(rig.httpHits.get('tok2')).toBeUndefined();
  });

  test('an oversized response is refused', async () => {
    rig.http.set('big', 'x'.repeat(5000));
    const e = await problem(new ChallengeValidator(opts).validate('http-01', { domain: 'big.va.test', token: 'big', keyAuthorization: 'big.thumb' }));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toMatch(/larger than 1024 bytes/);
  });

  test('dns-01 compares the digest of the key authorization', async () => {
    rig.txt.set('_acme-challenge.txt.va.test', ['wrong-value']);
    const e = await problem(new ChallengeValidator(opts).validate('dns-01', { domain: 'txt.va.test', token: 't', keyAuthorization: 't.k' }));
    expect(e.type).toBe('incorrectResponse');
    expect(e.detail).toMatch(/incorrect TXT record "wrong-value"/);
  });
});
