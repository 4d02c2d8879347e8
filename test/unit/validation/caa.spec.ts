import { CaaChecker, caaRefusal, caaTree } from '../../../src/validation/caa';
import { ValidationResolver } from '../../../src/validation/resolver';
import { TestDnsServer } from './support/test-dns';

const NOW = new Date('2026-06-01T12:00:00Z');
const accountUri = (id: string) => `https://ca.test/acme/acct/${id}`;

describe('CAA lookup against a DNS server on 127.0.0.1 (RFC 8659 §3)', () => {
  const dns = new TestDnsServer();
  let checker: CaaChecker;
  const ask = (domain: string, over: Partial<Parameters<CaaChecker['check']>[0]> = {}) => checker.check({ domain, wildcard: false, method: 'http-01', accountId: 'a1', ...over });

  beforeAll(async () => {
    await dns.start();
    checker = new CaaChecker(new ValidationResolver({ resolvers: [dns.address], timeoutMs: 3000 }), { identities: ['ca.test'], accountUri }, () => NOW);
  });
  afterAll(() => dns.stop());

  test('the names climbed: the name itself, then each parent up to the top-level label', () => {
    expect(caaTree('www.sub.example.org')).toEqual(['www.sub.example.org', 'sub.example.org', 'example.org', 'org']);
  });

  test('no records anywhere up the tree (NXDOMAIN counts as none): allowed, and recorded as such', async () => {
    const check = await ask('nothing.none.test');
    expect(check).toEqual({
      checkedAt: NOW.toISOString(), domain: 'nothing.none.test', wildcard: false, method: 'http-01', accountUri: accountUri('a1'), identities: ['ca.test'],
      relevantName: null, resolverUsed: dns.address, records: [], allowed: true, reason: 'no CAA records',
    });
  });

  test('the closest name with records wins: a parent is consulted only when the name has none', async () => {
    dns.set('climb.test', { CAA: [{ flags: 0, tag: 'issue', value: 'other.test' }] });
    dns.set('sub.climb.test', { A: ['192.0.2.1'] });
    dns.set('allowed.climb.test', { CAA: [{ flags: 0, tag: 'issue', value: 'ca.test' }] });
    const refused = await ask('www.sub.climb.test');
    expect(refused).toMatchObject({ allowed: false, relevantName: 'climb.test', records: [{ flags: 0, tag: 'issue', value: 'other.test' }] });
    expect(caaRefusal(refused)).toMatchObject({ type: 'caa' });
    expect(caaRefusal(refused).toProblem().status).toBe(403);
    expect(caaRefusal(refused).detail).toMatch(/^CAA forbids issuance for www\.sub\.climb\.test: .*other\.test.*\(records at climb\.test\)$/);
    expect(await ask('allowed.climb.test')).toMatchObject({ allowed: true, relevantName: 'allowed.climb.test' });
  });

  test('issuewild for a wildcard, accounturi and validationmethods (RFC 8657), and a critical unknown tag', async () => {
    dns.set('wild.test', { CAA: [{ flags: 0, tag: 'issue', value: 'ca.test' }, { flags: 0, tag: 'issuewild', value: ';' }] });
    expect((await ask('wild.test')).allowed).toBe(true);
    expect((await ask('wild.test', { wildcard: true })).allowed).toBe(false);
    dns.set('bound.test', { CAA: [{ flags: 0, tag: 'issue', value: `ca.test; accounturi=${accountUri('a1')}; validationmethods=dns-01` }] });
    expect((await ask('bound.test', { method: 'dns-01' })).allowed).toBe(true);
    expect((await ask('bound.test')).allowed).toBe(false);
    expect((await ask('bound.test', { method: 'dns-01', accountId: 'a2' })).allowed).toBe(false);
    dns.set('critical.test', { CAA: [{ flags: 0, tag: 'issue', value: 'ca.test' }, { flags: 128, tag: 'future', value: 'x' }] });
    expect(await ask('critical.test')).toMatchObject({ allowed: false, reason: expect.stringMatching(/unknown critical tag "future"/) });
  });

  test('a DNS failure at the name or below the relevant records refuses with a dns problem', async () => {
    dns.set('broken.test', { rcode: 'SERVFAIL' });
    await expect(ask('www.broken.test')).rejects.toMatchObject({ type: 'dns', detail: expect.stringMatching(/^CAA lookup failed, so issuance is not allowed: .*SERVFAIL looking up CAA for broken\.test/) });
    // A failure above the closest records does not matter: they were found first.
    dns.set('ok.broken.test', { CAA: [{ flags: 0, tag: 'issue', value: 'ca.test' }] });
    expect((await ask('ok.broken.test')).allowed).toBe(true);
  });
});
