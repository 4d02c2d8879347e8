import { decideRequestRenewal, evolveCertificate } from '../../../src/domain/certificate';
import { checkReplacement, formatCertId, parseCertId, suggestedWindow } from '../../../src/domain/policy/renewal-info';
import { refusalOf } from './support/given';
import { certificateIssued } from './support/histories';

const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;

describe('ARI (RFC 9773)', () => {
  test('certID: base64url(AKI keyIdentifier) "." base64url(serial), both ways', () => {
    const id = { akiHex: '69882a3c', serialHex: '00875a' };
    expect(formatCertId(id)).toBe('aYgqPA.AIda');
    expect(parseCertId('aYgqPA.AIda')).toEqual(id);
    for (const bad of ['aYgqPA', 'aYgqPA.AIda.x', 'a+b.cd', '.AIda', 7]) expect(refusalOf(() => parseCertId(bad)).type).toBe('malformed');
  });

  test('the window is the first half of the last third of the validity', () => {
    const cert = { notBefore: NOW.toISOString(), notAfter: new Date(NOW.getTime() + 90 * DAY).toISOString(), revoked: null };
    expect(suggestedWindow(cert, NOW)).toEqual({ start: new Date(NOW.getTime() + 60 * DAY).toISOString(), end: new Date(NOW.getTime() + 75 * DAY).toISOString() });
  });

  test('a revoked certificate, or one an admin asked to renew, has a window in the past', () => {
    const base = { notBefore: NOW.toISOString(), notAfter: new Date(NOW.getTime() + 90 * DAY).toISOString() };
    const revoked = suggestedWindow({ ...base, revoked: { reason: 1 } }, NOW);
    expect(new Date(revoked.end).getTime()).toBeLessThan(NOW.getTime());
    const window = { start: '2026-05-31T00:00:00.000Z', end: '2026-05-31T01:00:00.000Z' };
    expect(suggestedWindow({ ...base, revoked: null, renewal: { window } }, NOW)).toBe(window);
  });

  test('an admin renewal request is recorded with the admin, the reason and a past window, and read back', () => {
    const issued = evolveCertificate(null, certificateIssued({ notAfter: new Date(NOW.getTime() + 30 * DAY).toISOString() }))!;
    const [e] = decideRequestRenewal(issued, 'incident 42', 'alice', NOW);
    expect(e).toEqual({ type: 'CertificateRenewalRequested', data: { reason: 'incident 42', actor: 'alice', window: { start: '2026-05-31T22:00:00.000Z', end: '2026-05-31T23:00:00.000Z' } } });
    expect(evolveCertificate(issued, e)?.renewal).toEqual({ reason: 'incident 42', window: (e.data as { window: unknown }).window });
    expect(refusalOf(() => decideRequestRenewal(issued, ' ', 'alice', NOW)).detail).toMatch(/needs a reason/);
    expect(refusalOf(() => decideRequestRenewal(issued, 'x', 'alice', new Date(NOW.getTime() + 31 * DAY))).detail).toMatch(/has expired/);
  });

  test('replaces: same account, a shared identifier, not replaced already (409 alreadyReplaced)', () => {
    const replaced = { certificateId: 'c1', certId: 'x.y', accountId: 'a1', names: ['a.example', 'b.example'], replacedByOrderId: null };
    const ids = [{ type: 'dns', value: 'b.example' }];
    expect(() => checkReplacement(replaced, 'a1', ids)).not.toThrow();
    expect(refusalOf(() => checkReplacement(replaced, 'a2', ids)).type).toBe('unauthorized');
    expect(refusalOf(() => checkReplacement(replaced, 'a1', [{ type: 'dns', value: 'c.example' }])).detail).toMatch(/shares no identifier/);
    const e = refusalOf(() => checkReplacement({ ...replaced, replacedByOrderId: 'o9' }, 'a1', ids));
    expect(e).toMatchObject({ type: 'alreadyReplaced', detail: 'certificate c1 is already replaced by order o9' });
    expect(e.toProblem().status).toBe(409);
  });
});
