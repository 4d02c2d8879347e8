import { isIP } from 'node:net';
import tls from 'node:tls';
import { x509 } from '../ca/crypto';
import { AcmeError } from '../domain/errors';
import { assertAddressAllowed } from './address-policy';
import { keyAuthorizationDigest } from './key-authorization';
import type { ValidationOptions, ValidationRecord } from './options';
import type { ValidationResolver } from './resolver';

/**
 * tls-alpn-01 (RFC 8737): a TLS handshake with SNI = domain and ALPN "acme-tls/1"; the server's
 * certificate must name exactly that domain and carry the critical acmeIdentifier extension holding
 * SHA-256 of the key authorization.
 */
const ACME_IDENTIFIER_OID = '1.3.6.1.5.5.7.1.31';

export async function validateTlsAlpn01(
  input: { domain: string; keyAuthorization: string },
  opts: ValidationOptions,
  resolver: ValidationResolver,
): Promise<ValidationRecord> {
  const port = opts.tlsAlpn01Port;
  const addresses = isIP(input.domain) ? [input.domain] : await resolver.addresses(input.domain);
  for (const a of addresses) assertAddressAllowed(a, input.domain, opts.allowPrivateNetworks);
  const address = addresses[0];
  const record: ValidationRecord = { type: 'tls-alpn-01', hostname: input.domain, port, addressesResolved: addresses, addressUsed: address, resolvers: resolver.servers };
  const der = await handshake(address, port, input.domain, opts.timeoutMs);
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(new Uint8Array(der));
  } catch (e) {
    throw new AcmeError('tls', `the certificate from ${address}:${port} could not be parsed: ${(e as Error).message}`);
  }
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  if (names.length !== 1 || names[0].type !== 'dns' || names[0].value.toLowerCase() !== input.domain) {
    const got = names.map((n) => `${n.type}:${n.value}`).join(', ') || 'none';
    throw new AcmeError('unauthorized', `tls-alpn-01 certificate must have exactly one DNS name ${input.domain} (got ${got})`);
  }
  const ext = cert.extensions.find((e) => e.type === ACME_IDENTIFIER_OID);
  if (!ext) throw new AcmeError('unauthorized', 'tls-alpn-01 certificate has no acmeIdentifier extension');
  if (!ext.critical) throw new AcmeError('unauthorized', 'tls-alpn-01 acmeIdentifier extension must be critical');
  const expected = Buffer.concat([Buffer.from([0x04, 0x20]), keyAuthorizationDigest(input.keyAuthorization)]);
  const got = Buffer.from(ext.value);
  record.observed = got.toString('hex');
  if (!got.equals(expected)) throw new AcmeError('incorrectResponse', `tls-alpn-01 acmeIdentifier does not match the key authorization for ${input.domain}`);
  record.validatedAt = new Date().toISOString();
  return record;
}

function handshake(address: string, port: number, servername: string, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port, servername, ALPNProtocols: ['acme-tls/1'], rejectUnauthorized: false, timeout: timeoutMs });
    const fail = (e: AcmeError) => {
      socket.destroy();
      reject(e);
    };
    socket.on('secureConnect', () => {
      if (socket.alpnProtocol !== 'acme-tls/1') return fail(new AcmeError('tls', `${address}:${port} did not negotiate the acme-tls/1 protocol`));
      const peer = socket.getPeerCertificate(false);
      if (!peer?.raw) return fail(new AcmeError('tls', `${address}:${port} presented no certificate`));
      socket.end();
      resolve(peer.raw);
    });
    socket.on('timeout', () => fail(new AcmeError('connection', `timeout during the TLS handshake with ${address}:${port}`)));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      fail(new AcmeError(e.code === 'ECONNREFUSED' ? 'connection' : 'tls', `TLS connection to ${address}:${port} failed: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`)),
    );
  });
}
