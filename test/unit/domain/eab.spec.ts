import { assertIdentifiersAllowed, decideBindEabKey, evolveEabKey, type EabKeyState } from '../../../src/domain/eab';
import { type DomainEvent, event } from '../../../src/domain/events';
import { refusalOf } from './support/given';

const fold = (events: DomainEvent[]) => events.reduce<EabKeyState | null>((s, e) => evolveEabKey(s, e), null);
const created = event('EabKeyCreated', { keyId: 'kid-1', allowedIdentifiers: ['example.com', '*.example.org'], note: null });

describe('external account binding keys', () => {
  test('evolve: created, bound, revoked', () => {
    expect(fold([created])).toEqual({ keyId: 'kid-1', allowedIdentifiers: ['example.com', '*.example.org'], revoked: false, boundAccountId: null });
    expect(fold([created, event('EabKeyBound', { keyId: 'kid-1', accountId: 'acct-1' })])?.boundAccountId).toBe('acct-1');
    expect(fold([created, event('EabKeyRevoked', { keyId: 'kid-1', reason: null })])?.revoked).toBe(true);
  });

  test('a key binds one account; unknown, revoked and used keys are unauthorized', () => {
    expect(decideBindEabKey(fold([created]), 'acct-1')).toEqual([event('EabKeyBound', { keyId: 'kid-1', accountId: 'acct-1' })]);
    expect(refusalOf(() => decideBindEabKey(null, 'acct-1')).type).toBe('unauthorized');
    expect(refusalOf(() => decideBindEabKey(fold([created, event('EabKeyRevoked', { keyId: 'kid-1', reason: null })]), 'a')).detail).toMatch(/revoked/);
    expect(refusalOf(() => decideBindEabKey(fold([created, event('EabKeyBound', { keyId: 'kid-1', accountId: 'acct-1' })]), 'a')).detail).toMatch(/already bound/);
  });

  test('allowed identifiers: exact names, and names below a wildcard pattern; empty allows all', () => {
    const patterns = created.data.allowedIdentifiers;
    const dns = (value: string) => ({ type: 'dns', value });
    expect(() => assertIdentifiersAllowed([dns('example.com'), dns('a.example.org'), dns('*.b.example.org')], patterns)).not.toThrow();
    const e = refusalOf(() => assertIdentifiersAllowed([dns('www.example.com'), dns('example.org')], patterns));
    expect(e.type).toBe('rejectedIdentifier');
    expect(e.subproblems.map((s) => s.identifier?.value)).toEqual(['www.example.com', 'example.org']);
    expect(() => assertIdentifiersAllowed([dns('anything.test')], [])).not.toThrow();
  });
});
