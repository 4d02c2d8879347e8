import { AcmeError } from '../../../src/domain/errors';
import type { ChallengeType } from '../../../src/domain/events';
import { keyAuthorization, keyAuthorizationDigest } from '../../../src/validation/key-authorization';
import type { ValidationOptions } from '../../../src/validation/options';
import { ChallengeValidator, validateChallenge } from '../../../src/validation/validator';
import { validationCertificate } from './support/certificates';
import { problemOf } from './support/problems';
import { HttpResponder, TlsResponder } from './support/responders';
import { TestDnsServer } from './support/test-dns';

/** RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint. */
const RFC7638_JWK = {
  kty: 'RSA',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

test('the key authorization is the token, a dot and the JWK thumbprint (RFC 8555 §8.1)', async () => {
  await expect(keyAuthorization('evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA', RFC7638_JWK)).resolves.toBe(`evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.${RFC7638_THUMBPRINT}`);
  expect(keyAuthorizationDigest('a.b')).toHaveLength(32);
});

describe('validateChallenge dispatches on the challenge type', () => {
  const dns = new TestDnsServer();
  const http = new HttpResponder();
  const tls = new TlsResponder();
  let options: ValidationOptions;
  let keyAuth: string;

  beforeAll(async () => {
    await Promise.all([dns.start(), http.start(), tls.start()]);
    options = { resolvers: [dns.address], http01Port: http.port, tlsAlpn01Port: tls.port, allowPrivateNetworks: true, timeoutMs: 5000, maxRedirects: 10, maxResponseBytes: 1024 };
    keyAuth = await keyAuthorization('tok', RFC7638_JWK);
    dns.set('site.test', { A: ['127.0.0.1'] }).set('_acme-challenge.site.test', { TXT: [keyAuthorizationDigest(keyAuth).toString('base64url')] });
    http.challenge('tok', keyAuth);
    tls.serve('site.test', await validationCertificate({ names: ['dns:site.test'], keyAuthorization: keyAuth }));
  });
  afterAll(() => Promise.all([dns.stop(), http.stop(), tls.stop()]));

  test.each<ChallengeType>(['http-01', 'dns-01', 'tls-alpn-01'])('%s', async (type) => {
    const input = { domain: 'site.test', token: 'tok', keyAuthorization: keyAuth };
    await expect(validateChallenge(type, input, options)).resolves.toMatchObject({ type, hostname: 'site.test' });
    await expect(new ChallengeValidator(options).validate(type, input)).resolves.toMatchObject({ type });
  });

  test('a failure carries the partial record, also in the problem document', async () => {
    const e = await problemOf(validateChallenge('http-01', { domain: 'site.test', token: 'other', keyAuthorization: keyAuth }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.extra.validationRecord).toMatchObject({ type: 'http-01', hostname: 'site.test', addressUsed: '127.0.0.1' });
    expect(e.toProblem()).toMatchObject({ type: 'urn:ietf:params:acme:error:unauthorized', validationRecord: { addressUsed: '127.0.0.1' } });
  });

  test('an unknown type is refused', async () => {
    const e = await problemOf(validateChallenge('tls-sni-01' as ChallengeType, { domain: 'site.test', token: 'tok', keyAuthorization: keyAuth }, options));
    expect(e).toBeInstanceOf(AcmeError);
    expect(e.type).toBe('malformed');
  });
});
