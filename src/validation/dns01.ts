import { AcmeError } from '../domain/errors';
import { keyAuthorizationDigest } from './key-authorization';
import type { ValidationRecord } from './options';
import type { ValidationResolver } from './resolver';

/** dns-01 (RFC 8555 §8.4): a TXT record at _acme-challenge.<domain> holding base64url(SHA-256(key authorization)). */
export async function validateDns01(input: { domain: string; keyAuthorization: string }, resolver: ValidationResolver): Promise<ValidationRecord> {
  const name = `_acme-challenge.${input.domain}`;
  const expected = keyAuthorizationDigest(input.keyAuthorization).toString('base64url');
  const records = await resolver.txt(name);
  const record: ValidationRecord = { type: 'dns-01', hostname: input.domain, addressesResolved: [], resolvers: resolver.servers, observed: records.slice(0, 5).join(', ') };
  if (records.length === 0) throw new AcmeError('unauthorized', `no TXT record found at ${name}`);
  if (!records.includes(expected)) {
    const more = records.length > 1 ? ` (and ${records.length - 1} more)` : '';
    throw new AcmeError('incorrectResponse', `incorrect TXT record "${records[0]}"${more} found at ${name}; expected "${expected}"`);
  }
  record.validatedAt = new Date().toISOString();
  return record;
}
