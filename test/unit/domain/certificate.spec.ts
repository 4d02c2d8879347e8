import { type CertificateCommand, certificateDecider, type CertificateState, evolveCertificate } from '../../../src/domain/certificate';
import { event } from '../../../src/domain/events';
import { at, DAY, fold, NOW, scenario } from './support/given';
import { certificateIssued } from './support/histories';

const cert = scenario(certificateDecider, { now: NOW });
const revoked = (reason = 1) => event('CertificateRevoked', { serial: '0a1b', reason, by: 'account', actor: 'acct-1' });
const revoke = (reason: unknown, by: 'account' | 'authorized-account' | 'certificate-key' | 'admin' = 'account', actor: string | null = 'acct-1') =>
  ({ type: 'RevokeCertificate', reason, by, actor }) as const;

describe('certificate: evolve', () => {
  test('CertificateIssued records everything about the certificate, not revoked, not warned', () => {
    expect(fold(certificateDecider, [certificateIssued()])).toEqual({ ...certificateIssued().data, revoked: null, warned: [], renewal: null });
  });

  test('CertificateRevoked records the reason and when it was recorded', () => {
    const s = evolveCertificate(fold(certificateDecider, [certificateIssued()]), revoked(4), NOW);
    expect(s?.revoked).toEqual({ reason: 4, at: NOW.toISOString() });
  });

  test('ExpirationWarningSent adds the threshold', () => {
    const s = fold(certificateDecider, [certificateIssued(), event('ExpirationWarningSent', { thresholdDays: 30, notAfter: at(0), contacts: [], names: [] })]);
    expect(s?.warned).toEqual([30]);
  });
});

describe('certificate: decide revocation', () => {
  test('a revocation records the reason (0 when none is given), who proved what, and the actor', () => {
    cert.given([certificateIssued()]).when(revoke(undefined)).then([event('CertificateRevoked', { serial: '0a1b', reason: 0, by: 'account', actor: 'acct-1' })]);
    cert.given([certificateIssued()]).when(revoke(1, 'certificate-key', null)).then([event('CertificateRevoked', { serial: '0a1b', reason: 1, by: 'certificate-key', actor: null })]);
  });

  test.each([0, 1, 3, 4, 5])('reason %d is accepted from a subscriber (BR 7.2.2)', (reason) => {
    cert.given([certificateIssued()]).when(revoke(reason)).then([event('CertificateRevoked', { serial: '0a1b', reason, by: 'account', actor: 'acct-1' })]);
    cert.given([certificateIssued()]).when(revoke(reason, 'authorized-account', 'acct-2')).then([event('CertificateRevoked', { serial: '0a1b', reason, by: 'authorized-account', actor: 'acct-2' })]);
  });

  test.each([2, 6, 8, 9, 10])('reason %d is the CA\'s: badRevocationReason for a subscriber, accepted from an admin', (reason) => {
    cert.given([certificateIssued()]).when(revoke(reason)).thenRefuses('badRevocationReason', /reserved to the CA; subscribers may use 0 \(unspecified\), 1 \(keyCompromise\), 3 \(affiliationChanged\), 4 \(superseded\), 5 \(cessationOfOperation\)/);
    cert.given([certificateIssued()]).when(revoke(reason, 'admin', 'alice')).then([event('CertificateRevoked', { serial: '0a1b', reason, by: 'admin', actor: 'alice' })]);
  });

  test('a revocation signed by the certificate key is a key compromise, and blocks the key it names', () => {
    const byKey = (reason: unknown) => ({ ...revoke(reason, 'certificate-key', null), keySpkiSha256: 'ab12' });
    const blocked = event('CertificateRevoked', { serial: '0a1b', reason: 1, by: 'certificate-key', actor: null, blockedKeySpkiSha256: 'ab12' });
    cert.given([certificateIssued()]).when(byKey(undefined)).then([blocked]);
    cert.given([certificateIssued()]).when(byKey(0)).then([blocked]);
    cert.given([certificateIssued()]).when(byKey(1)).then([blocked]);
    cert.given([certificateIssued()]).when(byKey(4)).thenRefuses('badRevocationReason', /signed by the certificate key is a key compromise/);
  });

  test('an account asserting keyCompromise does not block the key; an admin doing so does', () => {
    cert.given([certificateIssued()]).when({ ...revoke(1), keySpkiSha256: 'ab12' }).then([event('CertificateRevoked', { serial: '0a1b', reason: 1, by: 'account', actor: 'acct-1' })]);
    cert.given([certificateIssued()]).when({ ...revoke(1, 'admin', 'alice'), keySpkiSha256: 'ab12' }).then([
      event('CertificateRevoked', { serial: '0a1b', reason: 1, by: 'admin', actor: 'alice', blockedKeySpkiSha256: 'ab12' }),
    ]);
    cert.given([certificateIssued()]).when({ ...revoke(4, 'admin', 'alice'), keySpkiSha256: 'ab12' }).then([event('CertificateRevoked', { serial: '0a1b', reason: 4, by: 'admin', actor: 'alice' })]);
  });

  test.each([7, 11, -1, 1.5, '1', null, NaN])('reason %p is badRevocationReason', (reason) => {
    cert.given([certificateIssued()]).when(revoke(reason)).thenRefuses('badRevocationReason', /is not allowed/);
  });

  test('a revoked certificate is alreadyRevoked', () => {
    cert.given([certificateIssued(), revoked()]).when(revoke(4, 'admin', 'admin:alice')).thenRefuses('alreadyRevoked', /0a1b is already revoked/);
  });

  test('the CA result is recorded once', () => {
    cert.given([]).when({ type: 'RecordCertificate', certificate: certificateIssued().data }).then([certificateIssued()]);
    cert.given([certificateIssued()]).when({ type: 'RecordCertificate', certificate: certificateIssued().data }).thenRefuses('serverInternal');
  });

  test('revoking an unknown certificate is a 404', () => {
    expect(cert.given([]).when(revoke(0)).thenRefuses('malformed').reason).toEqual({ kind: 'notFound' });
  });
});

describe('certificate: expiration warnings', () => {
  const thresholds = [30, 14, 7, 1];
  /** A 90-day certificate (by default) expiring in `days`. */
  const expiringIn = (days: number, lifetimeDays = 90) => certificateIssued({ notBefore: at((days - lifetimeDays) * DAY), notAfter: at(days * DAY) });
  const warn: CertificateCommand = { type: 'SendExpirationWarning', thresholdsDays: thresholds, contacts: ['mailto:ops@example.com'] };
  const sent = (thresholdDays: number, days: number) =>
    event('ExpirationWarningSent', { thresholdDays, notAfter: at(days * DAY), contacts: ['mailto:ops@example.com'], names: ['example.com'] });

  test('nothing before the first threshold; the crossed threshold once', () => {
    cert.given([expiringIn(31)]).when(warn).then([]);
    cert.given([expiringIn(29.5)]).when(warn).then([sent(30, 29.5)]);
    cert.given([expiringIn(29.5), sent(30, 29.5)]).when(warn).then([]);
    cert.given([expiringIn(13), sent(30, 13)]).when(warn).then([sent(14, 13)]);
  });

  test('a certificate found late gets only the nearest threshold', () => {
    cert.given([expiringIn(5)]).when(warn).then([sent(7, 5)]);
    cert.given([expiringIn(5), sent(7, 5)]).when(warn).then([]);
  });

  test('no threshold as long as the whole lifetime: a 2-day certificate is warned at 1 day only', () => {
    cert.given([expiringIn(0.5, 2)]).when(warn).then([sent(1, 0.5)]);
    cert.given([expiringIn(1.5, 2)]).when(warn).then([]);
    cert.given([expiringIn(6, 7)]).when(warn).then([]);
  });

  test('revoked and expired certificates get none', () => {
    cert.given([expiringIn(3), revoked()]).when(warn).then([]);
    cert.given([expiringIn(-1)]).when(warn).then([]);
  });

  test('state of the warned thresholds is what the decision reads', () => {
    const s = fold(certificateDecider, [expiringIn(5), sent(7, 5)]) as CertificateState;
    expect(s.warned).toEqual([7]);
  });
});
