import { createHash } from 'node:crypto';
import type { ValidationOptions } from '../../../src/validation/options';
import { validateTlsAlpn01 } from '../../../src/validation/tls-alpn01';
import { validationCertificate } from './support/certificates';
import { problemOf } from './support/problems';
import { closedPort, TlsResponder } from './support/responders';
import { TestDnsServer } from './support/test-dns';

const KEY_AUTH = 'alpn-token.account-thumbprint';
const digestHex = (keyAuth: string) => createHash('sha256').update(keyAuth).digest('hex');

describe('tls-alpn-01 against TLS responders on 127.0.0.1', () => {
  const dns = new TestDnsServer();
  const responder = new TlsResponder(['acme-tls/1']);
  const noAlpn = new TlsResponder([]);
  let options: ValidationOptions;

  beforeAll(async () => {
    await Promise.all([dns.start(), responder.start(), noAlpn.start()]);
    options = { resolvers: [dns.address], http01Port: 80, tlsAlpn01Port: responder.port, allowPrivateNetworks: true, timeoutMs: 5000, maxRedirects: 10, maxResponseBytes: 1024 };
  });
  afterAll(() => Promise.all([dns.stop(), responder.stop(), noAlpn.stop()]));

  /** Points name at 127.0.0.1 and has the responder present this certificate for it. */
  async function serve(name: string, spec: Parameters<typeof validationCertificate>[0], server = responder): Promise<void> {
    dns.set(name, { A: ['127.0.0.1'] });
    server.serve(name, await validationCertificate(spec));
  }

  test('an IP identifier: SNI is its reverse name, the certificate names it as an iPAddress (RFC 8738 §6)', async () => {
    responder.serve('1.0.0.127.in-addr.arpa', await validationCertificate({ names: ['ip:127.0.0.1'], keyAuthorization: KEY_AUTH }));
    const record = await validateTlsAlpn01({ domain: '127.0.0.1', keyAuthorization: KEY_AUTH }, options);
    expect(record).toMatchObject({ hostname: '127.0.0.1', addressUsed: '127.0.0.1', certificateNames: ['ip:127.0.0.1'] });
    expect(responder.servernames).toContain('1.0.0.127.in-addr.arpa');
    responder.serve('1.0.0.127.in-addr.arpa', await validationCertificate({ names: ['dns:127.0.0.1'], keyAuthorization: KEY_AUTH }));
    const e = await problemOf(validateTlsAlpn01({ domain: '127.0.0.1', keyAuthorization: KEY_AUTH }, options));
    expect(e.detail).toMatch(/exactly one entry, the iPAddress 127\.0\.0\.1/);
  });

  test('a validation certificate for the key authorization validates; the record says what was seen', async () => {
    await serve('ok.test', { names: ['dns:ok.test'], keyAuthorization: KEY_AUTH });
    const record = await validateTlsAlpn01({ domain: 'ok.test', keyAuthorization: KEY_AUTH }, options);
    expect(record).toMatchObject({
      type: 'tls-alpn-01',
      hostname: 'ok.test',
      port: responder.port,
      addressesResolved: ['127.0.0.1'],
      addressUsed: '127.0.0.1',
      resolverUsed: dns.address,
      alpnProtocol: 'acme-tls/1',
      certificateNames: ['dns:ok.test'],
      observed: `0420${digestHex(KEY_AUTH)}`,
    });
    expect(record.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(responder.servernames).toContain('ok.test');
  });

  test('the digest of another key authorization is incorrectResponse', async () => {
    await serve('digest.test', { names: ['dns:digest.test'], keyAuthorization: 'other.key-authorization' });
    const e = await problemOf(validateTlsAlpn01({ domain: 'digest.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('incorrectResponse');
    expect(e.detail).toBe(
      `The acmeIdentifier extension of the tls-alpn-01 certificate from 127.0.0.1:${responder.port} did not match this challenge. Expected ${digestHex(KEY_AUTH)} (got ${digestHex('other.key-authorization')})`,
    );
    expect(e.extra.validationRecord).toMatchObject({ alpnProtocol: 'acme-tls/1', certificateNames: ['dns:digest.test'] });
  });

  test('a server that does not negotiate acme-tls/1 fails with tls', async () => {
    await serve('noalpn.test', { names: ['dns:noalpn.test'], keyAuthorization: KEY_AUTH }, noAlpn);
    const e = await problemOf(validateTlsAlpn01({ domain: 'noalpn.test', keyAuthorization: KEY_AUTH }, { ...options, tlsAlpn01Port: noAlpn.port }));
    expect(e.type).toBe('tls');
    expect(e.detail).toBe(`Cannot validate tls-alpn-01 for noalpn.test: server did not negotiate acme-tls/1 (127.0.0.1:${noAlpn.port} negotiated no protocol)`);
  });

  test('an acmeIdentifier extension that is not critical is unauthorized', async () => {
    await serve('noncritical.test', { names: ['dns:noncritical.test'], keyAuthorization: KEY_AUTH, critical: false });
    const e = await problemOf(validateTlsAlpn01({ domain: 'noncritical.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toBe(`Incorrect validation certificate for tls-alpn-01 challenge from 127.0.0.1:${responder.port} for noncritical.test: its acmeIdentifier extension is not marked critical`);
  });

  test('a missing acmeIdentifier extension is unauthorized', async () => {
    await serve('noext.test', { names: ['dns:noext.test'] });
    const e = await problemOf(validateTlsAlpn01({ domain: 'noext.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toMatch(/: it has no acmeIdentifier extension \(1\.3\.6\.1\.5\.5\.7\.1\.31\)$/);
  });

  test('an extension value that is the bare digest, not its DER OCTET STRING, is unauthorized', async () => {
    const bare = createHash('sha256').update(KEY_AUTH).digest();
    await serve('bare.test', { names: ['dns:bare.test'], extensionValue: bare });
    const e = await problemOf(validateTlsAlpn01({ domain: 'bare.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toMatch(/its acmeIdentifier extension is not a DER OCTET STRING of 32 bytes/);
  });

  test('a certificate naming anything besides the domain is unauthorized', async () => {
    await serve('extra.test', { names: ['dns:extra.test', 'dns:www.extra.test'], keyAuthorization: KEY_AUTH });
    const e = await problemOf(validateTlsAlpn01({ domain: 'extra.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('unauthorized');
    expect(e.detail).toMatch(/its subjectAltName must hold exactly one entry, the dNSName extra\.test \(got dns:extra\.test, dns:www\.extra\.test\)$/);

    await serve('othername.test', { names: ['dns:someone-else.test'], keyAuthorization: KEY_AUTH });
    const other = await problemOf(validateTlsAlpn01({ domain: 'othername.test', keyAuthorization: KEY_AUTH }, options));
    expect(other.detail).toMatch(/\(got dns:someone-else\.test\)$/);
  });

  test('a failed handshake (no certificate for this name) is tls', async () => {
    dns.set('nocert.test', { A: ['127.0.0.1'] });
    const e = await problemOf(validateTlsAlpn01({ domain: 'nocert.test', keyAuthorization: KEY_AUTH }, options));
    expect(e.type).toBe('tls');
    expect(e.detail).toMatch(new RegExp(`^TLS handshake with 127\\.0\\.0\\.1:${responder.port} for nocert\\.test failed: `));
  });

  test('nothing listening is a connection problem', async () => {
    dns.set('closed.test', { A: ['127.0.0.1'] });
    const port = await closedPort();
    const e = await problemOf(validateTlsAlpn01({ domain: 'closed.test', keyAuthorization: KEY_AUTH }, { ...options, tlsAlpn01Port: port }));
    expect(e.type).toBe('connection');
    expect(e.detail).toBe(`Connecting to 127.0.0.1:${port} for tls-alpn-01: connection refused`);
  });

  test('a loopback address is refused before the handshake when private networks are not allowed', async () => {
    await serve('private.test', { names: ['dns:private.test'], keyAuthorization: KEY_AUTH });
    const e = await problemOf(validateTlsAlpn01({ domain: 'private.test', keyAuthorization: KEY_AUTH }, { ...options, allowPrivateNetworks: false }));
    expect(e.type).toBe('connection');
    expect(responder.servernames).not.toContain('private.test');
  });
});
