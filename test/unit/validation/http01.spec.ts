import type { ValidationOptions } from '../../../src/validation/options';
import { validateHttp01 } from '../../../src/validation/http01';
import { validationCertificate } from './support/certificates';
import { problemOf } from './support/problems';
import { closedPort, HttpResponder, SilentServer } from './support/responders';
import { TestDnsServer } from './support/test-dns';

const KEY_AUTH = 'tok.thumbprint-of-the-account-key';
const challengePath = (token: string) => `/.well-known/acme-challenge/${token}`;

describe('http-01 against responders on 127.0.0.1', () => {
  const dns = new TestDnsServer();
  const http = new HttpResponder();
  let https: HttpResponder;
  let options: ValidationOptions;

  beforeAll(async () => {
    https = new HttpResponder(await validationCertificate({ names: ['dns:secure.test'] }));
    await Promise.all([dns.start(), http.start(), https.start()]);
    // tlsAlpn01Port doubles as the https port redirects may go to.
    options = { resolvers: [dns.address], http01Port: http.port, tlsAlpn01Port: https.port, allowPrivateNetworks: true, timeoutMs: 5000, maxRedirects: 10, maxResponseBytes: 1024 };
    for (const name of ['ok.test', 'secure.test', 'other.test', 'private.test']) dns.set(name, { A: ['127.0.0.1'] });
  });
  afterAll(() => Promise.all([dns.stop(), http.stop(), https.stop()]));

  const urlOf = (host: string, token: string) => `http://${host}:${http.port}${challengePath(token)}`;

  test('the key authorization is found: the record says what was resolved, through which resolver and where it connected', async () => {
    http.challenge('ok1', KEY_AUTH);
    const record = await validateHttp01({ domain: 'ok.test', token: 'ok1', keyAuthorization: KEY_AUTH }, options);
    expect(record).toMatchObject({
      type: 'http-01',
      hostname: 'ok.test',
      port: http.port,
      url: urlOf('ok.test', 'ok1'),
      addressesResolved: ['127.0.0.1'],
      addressesTried: ['127.0.0.1'],
      addressUsed: '127.0.0.1',
      resolvers: [dns.address],
      resolverUsed: dns.address,
      redirects: [],
      observed: KEY_AUTH,
    });
    expect(record.requests).toEqual([
      { url: urlOf('ok.test', 'ok1'), hostname: 'ok.test', port: http.port, addressesResolved: ['127.0.0.1'], addressesTried: ['127.0.0.1'], addressUsed: '127.0.0.1', resolverUsed: dns.address, status: 200 },
    ]);
    expect(typeof record.validatedAt).toBe('string');
    expect(http.requests.find((r) => r.path === challengePath('ok1'))?.host).toBe(`ok.test:${http.port}`);
  });

  test('trailing whitespace after the key authorization is ignored (RFC 8555 §8.3)', async () => {
    http.challenge('ws', `${KEY_AUTH}\r\n \t\n`);
    await expect(validateHttp01({ domain: 'ok.test', token: 'ws', keyAuthorization: KEY_AUTH }, options)).resolves.toMatchObject({ observed: KEY_AUTH });
  });

  test('a different body is incorrectResponse quoting what was expected and (cut short) what came', async () => {
    http.challenge('wrong', 'something else');
    const e = await problemOf(validateHttp01({ domain: 'ok.test', token: 'wrong', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('incorrectResponse');
    expect(e.detail).toBe(`The key authorization file from the server did not match this challenge. Expected "${KEY_AUTH}" (got "something else")`);
    expect(e.extra.validationRecord).toMatchObject({ type: 'http-01', addressUsed: '127.0.0.1', observed: 'something else' });

    http.challenge('long', 'x'.repeat(1000));
    const long = await problemOf(validateHttp01({ domain: 'ok.test', token: 'long', keyAuthorization: KEY_AUTH }, options));
    expect(long.detail).toMatch(new RegExp(`\\(got "x{128}\\.\\.\\."\\)$`));
  });

  test('a 404 is unauthorized with the status and the URL', async () => {
    const e = await problemOf(validateHttp01({ domain: 'ok.test', token: 'absent', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toBe(`Invalid response from ${urlOf('ok.test', 'absent')} [127.0.0.1]: HTTP 404`);
  });

  test('a redirect chain of maxRedirects hops across names and to https (certificate not checked) is followed', async () => {
    // ok.test/chain -> /hop/1 ... /hop/8 (relative) -> http://other.test/hop/9 -> https://secure.test/final
    http.route(challengePath('chain'), (_q, r) => r.writeHead(302, { Location: '/hop/1' }).end());
    for (let i = 1; i <= 8; i++) http.route(`/hop/${i}`, (_q, r) => r.writeHead(i % 2 ? 301 : 307, { Location: i < 8 ? `/hop/${i + 1}` : `http://other.test:${http.port}/hop/9` }).end());
    http.route('/hop/9', (_q, r) => r.writeHead(308, { Location: `https://secure.test:${https.port}/final?x=1` }).end());
    https.route('/final?x=1', (_q, r) => r.writeHead(200).end(KEY_AUTH));

    const record = await validateHttp01({ domain: 'ok.test', token: 'chain', keyAuthorization: KEY_AUTH }, options);
    expect(record.redirects).toHaveLength(10);
    expect(record.redirects!.at(-1)).toBe(`https://secure.test:${https.port}/final?x=1`);
    expect(record.requests!.map((r) => [r.hostname, r.status])).toEqual([
      ['ok.test', 302],
      ...Array.from({ length: 8 }, (_, i) => ['ok.test', i % 2 ? 307 : 301]),
      ['other.test', 308],
      ['secure.test', 200],
    ]);
    // Each new name was looked up when reached.
    expect(dns.questions).toEqual(expect.arrayContaining(['other.test A', 'secure.test A']));
    expect(https.hits('/final?x=1')).toBe(1);
  });

  test('one redirect more than maxRedirects is refused before it is followed', async () => {
    http.route(challengePath('loop'), (_q, r) => r.writeHead(302, { Location: '/loop/1' }).end());
    for (let i = 1; i <= 11; i++) http.route(`/loop/${i}`, (_q, r) => r.writeHead(302, { Location: `/loop/${i + 1}` }).end());
    const e = await problemOf(validateHttp01({ domain: 'ok.test', token: 'loop', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toMatch(/^Too many redirects: more than 10 following /);
    expect(http.hits('/loop/10')).toBe(1);
    expect(http.hits('/loop/11')).toBe(0);
    expect(e.extra.validationRecord?.redirects).toHaveLength(10);
  });

  test('redirects to another port or another scheme are refused', async () => {
    http.route(challengePath('port'), (_q, r) => r.writeHead(302, { Location: 'http://ok.test:8081/elsewhere' }).end());
    const port = await problemOf(validateHttp01({ domain: 'ok.test', token: 'port', keyAuthorization: KEY_AUTH }, options));
    expect(port.type).toBe('unauthorized');
    expect(port.detail).toMatch(/to "http:\/\/ok\.test:8081\/elsewhere" refused: port 8081 is not followed \(only 80, 443, /);

    http.route(challengePath('ftp'), (_q, r) => r.writeHead(302, { Location: 'ftp://ok.test/file' }).end());
    const scheme = await problemOf(validateHttp01({ domain: 'ok.test', token: 'ftp', keyAuthorization: KEY_AUTH }, options));
    expect(scheme.type).toBe('unauthorized');
    expect(scheme.detail).toMatch(/refused: only http and https redirects are followed$/);
  });

  test('a redirect target is resolved afresh: a name that does not exist is a dns problem', async () => {
    http.route(challengePath('gone'), (_q, r) => r.writeHead(302, { Location: `http://gone.test:${http.port}/x` }).end());
    const e = await problemOf(validateHttp01({ domain: 'ok.test', token: 'gone', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('dns');
    expect(e.detail).toMatch(/gone\.test/);
    expect(e.extra.validationRecord?.requests?.map((r) => r.hostname)).toEqual(['ok.test', 'gone.test']);
  });

  test('a response larger than maxResponseBytes is refused, announced or streamed', async () => {
    http.challenge('big', 'x'.repeat(1025));
    const announced = await problemOf(validateHttp01({ domain: 'ok.test', token: 'big', keyAuthorization: KEY_AUTH }, options));
    expect(announced.type).toBe('unauthorized');
    expect(announced.detail).toBe(`Invalid response from ${urlOf('ok.test', 'big')} [127.0.0.1]: response too large (more than 1024 bytes)`);

    http.route(challengePath('stream'), (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'text/plain' }); // chunked: no Content-Length
      for (let i = 0; i < 5; i++) r.write('y'.repeat(300));
      r.end();
    });
    const streamed = await problemOf(validateHttp01({ domain: 'ok.test', token: 'stream', keyAuthorization: KEY_AUTH }, options));
    expect(streamed.type).toBe('unauthorized');
    expect(streamed.detail).toMatch(/response too large \(more than 1024 bytes\)$/);
  });

  test('nothing listening is a connection problem naming address and port', async () => {
    const port = await closedPort();
    const e = await problemOf(validateHttp01({ domain: 'ok.test', token: 't', keyAuthorization: KEY_AUTH }, { ...options, http01Port: port }));
    expect(e.type).toBe('connection');
    expect(e.detail).toBe(`Fetching http://ok.test:${port}${challengePath('t')}: connection refused connecting to 127.0.0.1:${port}`);
    expect(e.extra.validationRecord).toMatchObject({ addressesResolved: ['127.0.0.1'], addressesTried: ['127.0.0.1'] });
  });

  test('a responder that never answers runs into the overall timeout', async () => {
    const silent = await new SilentServer().start();
    try {
      const e = await problemOf(validateHttp01({ domain: 'ok.test', token: 't', keyAuthorization: KEY_AUTH }, { ...options, http01Port: silent.port, timeoutMs: 300 }));
      expect(e.type).toBe('connection');
      expect(e.detail).toBe(`Fetching http://ok.test:${silent.port}${challengePath('t')}: timeout after 300 ms waiting for the response from 127.0.0.1:${silent.port}`);
    } finally {
      await silent.stop();
    }
  });

  test('a name resolving to loopback is refused before any connection when private networks are not allowed', async () => {
    http.challenge('priv', KEY_AUTH);
    const e = await problemOf(validateHttp01({ domain: 'private.test', token: 'priv', keyAuthorization: KEY_AUTH }, { ...options, allowPrivateNetworks: false }));
    expect(e.type).toBe('connection');
    expect(e.detail).toBe('private.test resolves to 127.0.0.1 (loopback range), an address this CA does not connect to');
    expect(http.hits(challengePath('priv'))).toBe(0);
    expect(e.extra.validationRecord?.requests?.[0].addressesTried).toEqual([]);
  });

  test('an IP identifier (RFC 8738) gets the same guard: no DNS, no connection to a private address', async () => {
    http.challenge('ip-priv', KEY_AUTH);
    const e = await problemOf(validateHttp01({ domain: '127.0.0.1', token: 'ip-priv', keyAuthorization: KEY_AUTH }, { ...options, allowPrivateNetworks: false }));
    expect(e.type).toBe('connection');
    expect(e.detail).toMatch(/127\.0\.0\.1 .*loopback range/);
    expect(http.hits(challengePath('ip-priv'))).toBe(0);
    const ok = await validateHttp01({ domain: '127.0.0.1', token: 'ip-priv', keyAuthorization: KEY_AUTH }, options);
    expect(ok).toMatchObject({ hostname: '127.0.0.1', addressUsed: '127.0.0.1' });
    expect(ok.resolverUsed).toBeUndefined();
  });

  test('an IPv4-mapped loopback address is refused too', async () => {
    dns.set('mapped.test', { AAAA: ['::ffff:127.0.0.1'] });
    http.challenge('mapped', KEY_AUTH);
    const e = await problemOf(validateHttp01({ domain: 'mapped.test', token: 'mapped', keyAuthorization: KEY_AUTH }, { ...options, allowPrivateNetworks: false }));
    expect(e.type).toBe('connection');
    expect(e.detail).toBe('mapped.test resolves to ::ffff:127.0.0.1 (IPv4-mapped loopback range), an address this CA does not connect to');
    expect(http.hits(challengePath('mapped'))).toBe(0);
  });

  test('an IPv6 address that refuses the connection falls back to the IPv4 one', async () => {
    // Nothing listens on [::1]:<port>; the responder is on 127.0.0.1 only.
    dns.set('dual.test', { A: ['127.0.0.1'], AAAA: ['::1'] });
    http.challenge('dual', KEY_AUTH);
    const record = await validateHttp01({ domain: 'dual.test', token: 'dual', keyAuthorization: KEY_AUTH }, options);
    expect(record.addressesTried).toEqual(['::1', '127.0.0.1']);
    expect(record.addressUsed).toBe('127.0.0.1');
  });

  test('a name that does not exist is a dns problem', async () => {
    const e = await problemOf(validateHttp01({ domain: 'nxdomain.test', token: 't', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('dns');
    expect(e.detail).toBe('No valid A or AAAA records found for nxdomain.test (NXDOMAIN: the name does not exist)');
  });
});
