import { AcmeError } from '../domain/errors';
import { withDeadline } from './deadline';
import { quoteObserved, recordingFailure } from './failure';
import { keyAuthorizationDigest } from './key-authorization';
import type { ValidationOptions } from './options';
import type { ValidationRecord } from './record';
import { ValidationResolver } from './resolver';

export interface Dns01Input {
  domain: string;
  keyAuthorization: string;
}

/** The TXT values kept in the record: enough to see what was there, not a whole zone. */
const RECORDED_TXT_VALUES = 10;

/** The name dns-01 queries: a wildcard "*.example.com" is validated at the base domain. */
export function dns01RecordName(domain: string): string {
  return `_acme-challenge.${domain.toLowerCase().replace(/^\*\./, '')}`;
}

/**
 * dns-01 (RFC 8555 §8.4): one of the TXT records at _acme-challenge.<domain> must hold
 * base64url(SHA-256(key authorization)). As Boulder answers: a name that does not exist is a
 * `dns` problem, an existing name without TXT records is `unauthorized`, and TXT records none
 * of which match is `incorrectResponse` (the client published something, just not this).
 */
export async function validateDns01(input: Dns01Input, options: ValidationOptions, resolver = new ValidationResolver(options)): Promise<ValidationRecord> {
  const hostname = input.domain.toLowerCase().replace(/^\*\./, '');
  const name = dns01RecordName(hostname);
  const expected = keyAuthorizationDigest(input.keyAuthorization).toString('base64url');
  const record: ValidationRecord = { type: 'dns-01', hostname, queriedName: name, addressesResolved: [], resolvers: resolver.servers };
  return withDeadline(options.timeoutMs, (deadline) =>
    recordingFailure(record, async () => {
      const answer = await resolver.txt(name, deadline);
      record.resolverUsed = answer.resolverUsed;
      record.txtRecords = answer.records.slice(0, RECORDED_TXT_VALUES).map((r) => r.slice(0, 255));
      if (!answer.nameExists) {
        throw new AcmeError('dns', `DNS problem: NXDOMAIN looking up TXT for ${name} - check that a DNS record exists for this domain`);
      }
      if (answer.records.length === 0) throw new AcmeError('unauthorized', `no TXT record found at ${name}`);
      if (!answer.records.includes(expected)) {
        const count = answer.records.length;
        const more = count > 1 ? ` (and ${count - 1} more)` : '';
        throw new AcmeError(
          'incorrectResponse',
          `Incorrect TXT record ${quoteObserved(answer.records[0])}${more} found at ${name}: ${count} TXT record${count > 1 ? 's' : ''} found, none equal to the expected ${quoteObserved(expected)}`,
        );
      }
      record.observed = expected;
      record.validatedAt = new Date().toISOString();
      return record;
    }),
  );
}
