import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { AcmeError } from '../../../src/domain/errors';
import { withDeadline } from '../../../src/validation/deadline';
import { ValidationResolver } from '../../../src/validation/resolver';
import { TestDnsServer } from './support/test-dns';

describe('ValidationResolver against a DNS server on loopback', () => {
  const dns = new TestDnsServer();
  const broken = new TestDnsServer();

  beforeAll(async () => {
    await Promise.all([dns.start(), broken.start()]);
    broken.rcodeForAll = 'SERVFAIL';
    dns
      .set('both.test', { A: ['192.0.2.10', '192.0.2.11'], AAAA: ['2001:db8::10'] })
      .set('v6only.test', { AAAA: ['2001:db8::20'] })
      .set('empty.test', {})
      .set('servfail.test', { rcode: 'SERVFAIL' })
      .set('_acme-challenge.txt.test', { TXT: ['one', ['two-', 'chunks']] });
  });
  afterAll(() => Promise.all([dns.stop(), broken.stop()]));

  const resolver = () => new ValidationResolver({ resolvers: [dns.address], timeoutMs: 2000 });

  async function problem(p: Promise<unknown>): Promise<AcmeError> {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(AcmeError);
    return e as AcmeError;
  }

  test('A and AAAA answers are joined and the answering resolver is named', async () => {
    const answer = await resolver().addresses('both.test');
    expect(answer.addresses.sort()).toEqual(['192.0.2.10', '192.0.2.11', '2001:db8::10']);
    expect(answer.resolverUsed).toBe(dns.address);
  });

  test('one family is enough', async () => {
    expect((await resolver().addresses('v6only.test')).addresses).toEqual(['2001:db8::20']);
  });

  test('a name without A or AAAA records is a dns problem', async () => {
    const e = await problem(resolver().addresses('empty.test'));
    expect(e.type).toBe('dns');
    expect(e.detail).toBe('No valid A or AAAA records found for empty.test');
  });

  test('NXDOMAIN is a dns problem saying the name does not exist', async () => {
    const e = await problem(resolver().addresses('nowhere.test'));
    expect(e.type).toBe('dns');
    expect(e.detail).toBe('No valid A or AAAA records found for nowhere.test (NXDOMAIN: the name does not exist)');
  });

  test('SERVFAIL is a dns problem carrying the resolver error code', async () => {
    const e = await problem(resolver().addresses('servfail.test'));
    expect(e.type).toBe('dns');
    expect(e.detail).toBe(`DNS problem: SERVFAIL looking up A/AAAA for servfail.test (ESERVFAIL from resolver ${dns.address})`);
  });

  test('a failing resolver is skipped for the next one, which the answer names', async () => {
    const answer = await new ValidationResolver({ resolvers: [broken.address, dns.address], timeoutMs: 2000 }).addresses('both.test');
    expect(answer.resolverUsed).toBe(dns.address);
    expect(broken.questions).toContain('both.test A');
  });

  test('TXT character-strings of one record are joined; NXDOMAIN and no data differ', async () => {
    expect(await resolver().txt('_acme-challenge.txt.test')).toEqual({ records: ['one', 'two-chunks'], resolverUsed: dns.address, nameExists: true });
    expect(await resolver().txt('empty.test')).toEqual({ records: [], resolverUsed: dns.address, nameExists: true });
    expect(await resolver().txt('nowhere.test')).toEqual({ records: [], resolverUsed: dns.address, nameExists: false });
  });

  test('a resolver that never answers is a dns problem once the time is spent', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const e = await problem(withDeadline(600, (deadline) => new ValidationResolver({ resolvers: [address], timeoutMs: 600 }).addresses('slow.test', deadline)));
      expect(e.type).toBe('dns');
      expect(e.detail).toBe(`DNS problem: query timed out looking up A/AAAA for slow.test (ETIMEOUT from resolver ${address})`);
    } finally {
      silent.close();
    }
  });

  test('a resolver that is not an IP address is a configuration error', () => {
    expect(() => new ValidationResolver({ resolvers: ['dns.example'] })).toThrow(/not an IP address/);
  });

  test('no configured resolver means the system resolvers', () => {
    expect(new ValidationResolver({ resolvers: [] }).servers.length).toBeGreaterThan(0);
  });
});
