import { isIP } from 'node:net';
import tls from 'node:tls';
import { AcmeError } from '../domain/errors';
import { checkAcmeTlsCertificate, type AcmeTlsCertificateFacts } from './acme-tls-certificate';
import { withDeadline, type Deadline } from './deadline';
import { recordingFailure } from './failure';
import type { ValidationOptions } from './options';
import type { ValidationRecord } from './record';
import { ValidationResolver } from './resolver';
import { reverseName } from '../domain/policy/ip-identifier';
import { describeSocketError, isUnreachable, resolveCheckedTarget, tryInOrder, UnreachableAddressError, type ValidationContext } from './target';

export const ACME_TLS_ALPN_PROTOCOL = 'acme-tls/1';

export interface TlsAlpn01Input {
  domain: string;
  keyAuthorization: string;
}

interface Handshake {
  der: Buffer;
  alpnProtocol: string;
}

/**
 * tls-alpn-01 (RFC 8737): a TLS handshake with a checked address of the domain on
 * tlsAlpn01Port, SNI = domain, offering only the "acme-tls/1" protocol; the server must
 * negotiate it and present a validation certificate (see checkAcmeTlsCertificate). The
 * certificate is not verified against any trust store: it is self-signed by design.
 */
export async function validateTlsAlpn01(input: TlsAlpn01Input, options: ValidationOptions, resolver = new ValidationResolver(options)): Promise<ValidationRecord> {
  const domain = input.domain.toLowerCase();
  const port = options.tlsAlpn01Port;
  const record: ValidationRecord = { type: 'tls-alpn-01', hostname: domain, port, addressesResolved: [], addressesTried: [], resolvers: resolver.servers };
  return withDeadline(options.timeoutMs, (deadline) =>
    recordingFailure(record, async () => {
      const ctx: ValidationContext = { options, resolver, deadline };
      const target = await resolveCheckedTarget(domain, ctx);
      record.addressesResolved = target.addressesResolved;
      record.resolverUsed = target.resolverUsed;
      // RFC 8738 §6: an IP identifier is named in SNI by its reverse-DNS name.
      const servername = isIP(domain) ? reverseName(domain) : domain;
      const { address, result } = await tryInOrder(target.connectionOrder, ctx, record.addressesTried!, (a) => handshake(a, port, servername, deadline));
      record.addressUsed = address;
      record.alpnProtocol = result.alpnProtocol;
      const facts: Partial<AcmeTlsCertificateFacts> = {};
      try {
        checkAcmeTlsCertificate(result.der, domain, input.keyAuthorization, endpoint(address, port), facts);
      } finally {
        record.certificateSha256 = facts.sha256;
        record.certificateNames = facts.names;
        record.observed = facts.acmeIdentifier;
      }
      record.validatedAt = new Date().toISOString();
      return record;
    }),
  );
}

function endpoint(address: string, port: number): string {
  return `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}

/** Connects to the checked address (no name lookup), completes the handshake and takes the leaf certificate. */
function handshake(address: string, port: number, servername: string, deadline: Deadline): Promise<Handshake> {
  const where = endpoint(address, port);
  return new Promise((resolve, reject) => {
    let tcpConnected = false;
    let settled = false;
    let unsubscribe: () => void = () => undefined;
    const socket = tls.connect({
      host: address,
      port,
      servername,
      ALPNProtocols: [ACME_TLS_ALPN_PROTOCOL],
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2', // RFC 8737 §4: TLS 1.2 or later
    });
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      outcome();
      socket.destroy();
    };
    const fail = (problem: AcmeError): void => settle(() => reject(problem));
    socket.once('connect', () => (tcpConnected = true));
    socket.once('secureConnect', () => {
      const negotiated = socket.alpnProtocol;
      if (negotiated !== ACME_TLS_ALPN_PROTOCOL) {
        return fail(new AcmeError('tls', `Cannot validate tls-alpn-01 for ${servername}: server did not negotiate ${ACME_TLS_ALPN_PROTOCOL} (${where} negotiated ${negotiated ? JSON.stringify(negotiated) : 'no protocol'})`));
      }
      const peer = socket.getPeerCertificate(false);
      if (!peer?.raw) return fail(new AcmeError('tls', `${where} presented no certificate for ${servername}`));
      settle(() => resolve({ der: peer.raw, alpnProtocol: negotiated }));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!tcpConnected && isUnreachable(e)) return fail(new UnreachableAddressError(`Connecting to ${where} for tls-alpn-01: ${describeSocketError(e)}`));
      if (!tcpConnected) return fail(new AcmeError('connection', `Connecting to ${where} for tls-alpn-01: ${describeSocketError(e)}`));
      fail(new AcmeError('tls', `TLS handshake with ${where} for ${servername} failed: ${e.message}`));
    });
    unsubscribe = deadline.onExpiry(() =>
      fail(new AcmeError('connection', `Timeout after ${deadline.timeoutMs} ms ${tcpConnected ? 'during the TLS handshake with' : 'connecting to'} ${where} for tls-alpn-01`)),
    );
  });
}
