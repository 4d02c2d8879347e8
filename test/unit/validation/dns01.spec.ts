import { createHash } from 'node:crypto';
import { dns01RecordName, validateDns01 } from '../../../src/validation/dns01';
import type { ValidationOptions } from '../../../src/validation/options';
import { problemOf } from './support/problems';
import { TestDnsServer } from './support/test-dns';

const KEY_AUTH = 'token-value.account-thumbprint';
/** base64url(SHA-256(key authorization)), computed here independently of the code under test. */
const DIGEST = createHash('sha256').update(KEY_AUTH, 'utf8').digest('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('dns-01 against a DNS server on 127.0.0.1', () => {
  const dns = new TestDnsServer();
  let options: ValidationOptions;

  beforeAll(async () => {
    await dns.start();
    options = { resolvers: [dns.address], http01Port: 80, tlsAlpn01Port: 443, allowPrivateNetworks: false, timeoutMs: 5000, maxRedirects: 10, maxResponseBytes: 1024 };
  });
  afterAll(() => dns.stop());

  test('the digest among the TXT records validates; the record names the query and the resolver', async () => {
    dns.set('_acme-challenge.ok.test', { TXT: ['unrelated', DIGEST] });
    const record = await validateDns01({ domain: 'ok.test', keyAuthorization: KEY_AUTH }, options);
    expect(record).toMatchObject({
      type: 'dns-01',
      hostname: 'ok.test',
      queriedName: '_acme-challenge.ok.test',
      resolverUsed: dns.address,
      txtRecords: ['unrelated', DIGEST],
      observed: DIGEST,
    });
    expect(typeof record.validatedAt).toBe('string');
  });

  test('a wildcard is validated at the base domain', async () => {
    expect(dns01RecordName('*.wild.test')).toBe('_acme-challenge.wild.test');
    dns.set('_acme-challenge.wild.test', { TXT: [DIGEST] });
    await expect(validateDns01({ domain: '*.wild.test', keyAuthorization: KEY_AUTH }, options)).resolves.toMatchObject({ hostname: 'wild.test' });
  });

  test('a digest split across character-strings of one record still matches', async () => {
    dns.set('_acme-challenge.split.test', { TXT: [[DIGEST.slice(0, 20), DIGEST.slice(20)]] });
    await expect(validateDns01({ domain: 'split.test', keyAuthorization: KEY_AUTH }, options)).resolves.toMatchObject({ observed: DIGEST });
  });

  test('only wrong values is incorrectResponse saying how many records were found', async () => {
    dns.set('_acme-challenge.wrong.test', { TXT: ['first-wrong', 'second-wrong', 'third-wrong'] });
    const e = await problemOf(validateDns01({ domain: 'wrong.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('incorrectResponse');
    expect(e.detail).toBe(`Incorrect TXT record "first-wrong" (and 2 more) found at _acme-challenge.wrong.test: 3 TXT records found, none equal to the expected "${DIGEST}"`);
    expect(e.extra.validationRecord?.txtRecords).toEqual(['first-wrong', 'second-wrong', 'third-wrong']);
  });

  test('a name without TXT records is unauthorized', async () => {
    dns.set('_acme-challenge.empty.test', { A: ['192.0.2.1'] });
    const e = await problemOf(validateDns01({ domain: 'empty.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toBe('no TXT record found at _acme-challenge.empty.test');
  });

  test('a name that does not exist is a dns problem', async () => {
    const e = await problemOf(validateDns01({ domain: 'missing.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('dns');
    expect(e.detail).toBe('DNS problem: NXDOMAIN looking up TXT for _acme-challenge.missing.test - check that a DNS record exists for this domain');
  });

  test('a failing resolver is a dns problem with its error code', async () => {
    dns.set('_acme-challenge.broken.test', { rcode: 'SERVFAIL' });
    const e = await problemOf(validateDns01({ domain: 'broken.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('dns');
    expect(e.detail).toBe(`DNS problem: SERVFAIL looking up TXT for _acme-challenge.broken.test (ESERVFAIL from resolver ${dns.address})`);
  });
});
