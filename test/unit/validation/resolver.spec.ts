import { createSocket } from 'node:dgram';
import { promises as nodeDns } from 'node:dns';
import type { AddressInfo } from 'node:net';
import dns2 from 'dns2';
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

/**
 * A DNS server on loopback that answers held.test (one A record) only once released, and never
 * answers any other name: queries a test can keep in flight for as long as it needs.
 */
class HeldDnsServer {
  private readonly held: Array<() => void> = [];
  private server?: ReturnType<typeof dns2.createServer>;
  private port = 0;
  private released = false;
  private heldArrived!: () => void;
  /** Settles once the first held.test question has arrived. */
  readonly firstHeld = new Promise<void>((resolve) => (this.heldArrived = resolve));

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = dns2.createServer({
      udp: true,
      handle: (request, send) => {
        const [question] = request.questions;
        if (String(question.name).toLowerCase() !== 'held.test') return;
        const response = dns2.Packet.createResponseFromRequest(request);
        if (question.type === dns2.Packet.TYPE.A) {
          response.answers.push({ name: question.name, type: dns2.Packet.TYPE.A, class: dns2.Packet.CLASS.IN, ttl: 1, address: '192.0.2.30' } as never);
        }
        const answer = (): void => void send(response);
        if (this.released) answer();
        else this.held.push(answer);
        this.heldArrived();
      },
    });
    this.port = (await this.server.listen({ udp: { port: 0, address: '127.0.0.1' } })).udp!.port;
  }

  /** Answers the held.test questions so far, and any later ones at once. */
  release(): void {
    this.released = true;
    for (const answer of this.held.splice(0)) answer();
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}

describe('ValidationResolver channels', () => {
  const server = new HeldDnsServer();
  const dns = new TestDnsServer();

  beforeAll(async () => {
    await Promise.all([server.start(), dns.start()]);
    dns.set('both.test', { A: ['192.0.2.10'], AAAA: ['2001:db8::10'] }).set('caa.test', { CAA: [{ flags: 0, tag: 'issue', value: 'ca.example' }] });
  }, 30_000);
  afterAll(() => Promise.all([server.stop(), dns.stop()]), 30_000);

  /** Counts the c-ares channels made, and keeps the A and AAAA queries sent through them. */
  function countChannels(): { made: () => number; queries: Array<Promise<unknown>>; restore: () => void } {
    const queries: Array<Promise<unknown>> = [];
    let made = 0;
    const Original = nodeDns.Resolver;
    const keep = <A extends unknown[], R>(send: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
      const query = send(...args);
      queries.push(query);
      return query;
    };
    const spy = jest.spyOn(nodeDns, 'Resolver').mockImplementation((options) => {
      made++;
      const resolver = new Original(options);
      resolver.resolve4 = keep(resolver.resolve4.bind(resolver)) as typeof resolver.resolve4;
      resolver.resolve6 = keep(resolver.resolve6.bind(resolver)) as typeof resolver.resolve6;
      return resolver;
    });
    return { made: () => made, queries, restore: () => spy.mockRestore() };
  }

  test(
    'an expired deadline fails its own lookup at once and leaves another lookup on the same server answering',
    async () => {
      const channels = countChannels();
      try {
        // Tries of 1 s, two of them: the held query outlives the other lookup's deadline.
        const resolver = new ValidationResolver({ resolvers: [server.address], timeoutMs: 6000 });
        expect(channels.made()).toBe(2); // the address check, then the server's one channel
        // No deadline: this lookup waits for the answer the server holds back.
        const patient = resolver.addresses('held.test');
        await server.firstHeld;
        const started = Date.now();
        const e = await withDeadline(300, (deadline) => resolver.addresses('silent.test', deadline)).then(
          () => null,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(AcmeError);
        expect((e as AcmeError).detail).toBe(`DNS problem: query timed out looking up A/AAAA for silent.test (ETIMEOUT from resolver ${server.address})`);
        // Well before the channel's two tries (about 3 s here) would end: the deadline ended the wait.
        expect(Date.now() - started).toBeLessThan(2500);
        server.release();
        await expect(patient).resolves.toEqual({ addresses: ['192.0.2.30'], resolverUsed: server.address });
        // The queries given up on end by themselves, leaving nothing in flight after the test.
        await Promise.allSettled(channels.queries);
      } finally {
        channels.restore();
      }
    },
    30_000,
  );

  test(
    'a lookup given a deadline already spent fails as a timeout without asking the server',
    async () => {
      const resolver = new ValidationResolver({ resolvers: [dns.address], timeoutMs: 2000 });
      const asked = dns.questions.length;
      const e = await withDeadline(0, async (deadline) => {
        await new Promise<void>((resolve) => deadline.onExpiry(resolve));
        return resolver.txt('both.test', deadline).then(
          () => null,
          (x: unknown) => x,
        );
      });
      expect((e as AcmeError).detail).toBe(`DNS problem: query timed out looking up TXT for both.test (ETIMEOUT from resolver ${dns.address})`);
      expect(dns.questions.length).toBe(asked);
    },
    30_000,
  );

  test(
    'the query a deadline stopped waiting for ends on its own without an unhandled rejection',
    async () => {
      const channels = countChannels();
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const resolver = new ValidationResolver({ resolvers: [server.address], timeoutMs: 600 });
        await expect(withDeadline(20, (deadline) => resolver.addresses('silent.test', deadline))).rejects.toThrow(/query timed out/);
        expect(channels.queries).toHaveLength(2);
        // The queries given up on time out on their channel (two tries of 100 ms) and reject.
        for (const query of channels.queries) await expect(query).rejects.toMatchObject({ code: 'ETIMEOUT' });
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        channels.restore();
      }
    },
    30_000,
  );

  test(
    'lookups reuse one channel per server instead of making one per query',
    async () => {
      const channels = countChannels();
      try {
        const resolver = new ValidationResolver({ resolvers: [dns.address, server.address], timeoutMs: 2000 });
        const madeByConstructor = channels.made();
        for (let i = 0; i < 10; i++) {
          expect((await resolver.addresses('both.test')).resolverUsed).toBe(dns.address);
          expect((await resolver.txt('both.test')).resolverUsed).toBe(dns.address);
          expect((await resolver.caa('caa.test')).records).toEqual([{ flags: 0, tag: 'issue', value: 'ca.example' }]);
        }
        expect(channels.made()).toBe(madeByConstructor);
      } finally {
        channels.restore();
      }
    },
    30_000,
  );
});
