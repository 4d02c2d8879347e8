import { assertContactsAllowed, type MailDomainResolver } from '../../../src/commands/contact-policy';

const err = (code: string) => Object.assign(new Error(code), { code });

/** DNS as a table: a name maps to its records, an error code, or nothing (no such records). */
function resolver(table: Record<string, { mx?: unknown[] | string; a?: unknown[] | string; aaaa?: unknown[] | string }>): MailDomainResolver {
  const lookup = (kind: 'mx' | 'a' | 'aaaa') => async (name: string) => {
    const v = table[name]?.[kind];
    if (typeof v === 'string') throw err(v);
    if (!v) throw err(table[name] ? 'ENODATA' : 'ENOTFOUND');
    return v;
  };
  return { resolveMx: lookup('mx'), resolve4: lookup('a'), resolve6: lookup('aaaa') };
}

describe('contact policy', () => {
  const dns = resolver({
    'mail.example': { mx: [{ exchange: 'mx.mail.example', priority: 10 }] },
    'host.example': { a: ['192.0.2.1'] },
    'v6.example': { aaaa: ['2001:db8::1'] },
    'empty.example': {},
    'flaky.example': { mx: 'ETIMEOUT', a: 'ETIMEOUT', aaaa: 'ETIMEOUT' },
  });

  test('an allow-list of mail domains covers their subdomains', async () => {
    const policy = { domains: ['example.com'], mxCheck: false };
    await expect(assertContactsAllowed(['mailto:ops@example.com', 'mailto:ops@eu.example.com'], policy, dns)).resolves.toBeUndefined();
    await expect(assertContactsAllowed(['mailto:ops@example.com', 'mailto:me@evil.test'], policy, dns)).rejects.toThrow(/me@evil\.test': this CA accepts contact addresses at example\.com only/);
    await expect(assertContactsAllowed(['mailto:me@notexample.com'], policy, dns)).rejects.toMatchObject({ type: 'invalidContact' });
    await expect(assertContactsAllowed(undefined, policy, dns)).resolves.toBeUndefined();
  });

  test('the MX check accepts MX or address records, refuses a domain with none, and does not refuse when DNS cannot answer', async () => {
    const policy = { domains: [], mxCheck: true };
    for (const d of ['mail.example', 'host.example', 'v6.example', 'flaky.example']) {
      await expect(assertContactsAllowed([`mailto:a@${d}`], policy, dns)).resolves.toBeUndefined();
    }
    await expect(assertContactsAllowed(['mailto:a@empty.example'], policy, dns)).rejects.toThrow(/empty\.example has no MX or address record/);
    await expect(assertContactsAllowed(['mailto:a@nowhere.example'], policy, dns)).rejects.toMatchObject({ type: 'invalidContact' });
  });
});
