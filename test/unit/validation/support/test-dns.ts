import dns2 from 'dns2';
import ipaddr from 'ipaddr.js';

/** What the test DNS server answers for one name. A name that was never set is NXDOMAIN. */
export interface TestDnsAnswer {
  A?: string[];
  AAAA?: string[];
  /** Each TXT record as one string, or as its character-strings. */
  TXT?: Array<string | string[]>;
  CAA?: Array<{ flags: number; tag: string; value: string }>;
  /** Answer this rcode instead of records. */
  rcode?: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
}

const { Packet } = dns2;
/** RFC 1035 §4.1.1 response codes (dns2's typings omit Packet.RCODE). */
const RCODES = { SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** An authoritative-style DNS server on 127.0.0.1 (UDP, random port) whose answers a test sets. */
export class TestDnsServer {
  private readonly zone = new Map<string, TestDnsAnswer>();
  /** Questions received, as "NAME TYPE" (lower-case name). */
  readonly questions: string[] = [];
  /** When set, every question gets this rcode (a broken resolver). */
  rcodeForAll?: TestDnsAnswer['rcode'];
  private server?: ReturnType<typeof dns2.createServer>;
  port = 0;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, answer: TestDnsAnswer): this {
    this.zone.set(name.toLowerCase(), answer);
    return this;
  }

  async start(): Promise<this> {
    this.server = dns2.createServer({ udp: true, handle: (request, send) => void send(this.answer(request)) });
    const addresses = await this.server.listen({ udp: { port: 0, address: '127.0.0.1' } });
    this.port = addresses.udp!.port;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  private answer(request: InstanceType<typeof Packet>): InstanceType<typeof Packet> {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const name = String(question.name).toLowerCase();
    const typeName =
      question.type === Packet.TYPE.A ? 'A' : question.type === Packet.TYPE.AAAA ? 'AAAA' : question.type === Packet.TYPE.TXT ? 'TXT' : question.type === Packet.TYPE.CAA ? 'CAA' : String(question.type);
    this.questions.push(`${name} ${typeName}`);
    const entry = this.zone.get(name);
    const rcode = this.rcodeForAll ?? entry?.rcode ?? (entry ? undefined : 'NXDOMAIN');
    if (rcode) {
      response.header.rcode = RCODES[rcode];
      return response;
    }
    const base = { name: question.name, class: Packet.CLASS.IN, ttl: 1 };
    if (typeName === 'A') for (const address of entry!.A ?? []) response.answers.push({ ...base, type: Packet.TYPE.A, address } as never);
    if (typeName === 'AAAA') {
      // dns2 encodes only the plain hexadecimal form.
      for (const address of entry!.AAAA ?? []) response.answers.push({ ...base, type: Packet.TYPE.AAAA, address: ipaddr.parse(address).toNormalizedString() } as never);
    }
    if (typeName === 'CAA') for (const r of entry!.CAA ?? []) response.answers.push({ ...base, type: Packet.TYPE.CAA, ...r } as never);
    if (typeName === 'TXT') for (const data of entry!.TXT ?? []) response.answers.push({ ...base, type: Packet.TYPE.TXT, data } as never);
    return response;
  }
}
