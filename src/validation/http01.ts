import { isIP } from 'node:net';
import { AcmeError } from '../domain/errors';
import { withDeadline } from './deadline';
import { quoteObserved, recordingFailure } from './failure';
import { fetchFromAddress, hostOf, portOf, type FetchedResponse } from './http-fetch';
import type { ValidationOptions } from './options';
import type { HttpRequestRecord, ValidationRecord } from './record';
import { ValidationResolver } from './resolver';
import { resolveCheckedTarget, tryInOrder, type ValidationContext } from './target';

export interface Http01Input {
  domain: string;
  token: string;
  keyAuthorization: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** RFC 8555 §8.3: "The server SHOULD ignore whitespace characters at the end of the body." */
const TRAILING_WHITESPACE = /[ \t\r\n]+$/;

/**
 * http-01 (RFC 8555 §8.3): GET http://<domain>:<http01Port>/.well-known/acme-challenge/<token>
 * and compare the body with the key authorization. Every name met (the domain, then each
 * redirect target) is resolved once, every address checked against the policy, and the request
 * sent to a checked address. Redirects: at most maxRedirects, http or https only, to ports 80
 * and 443 (and the configured validation ports, so test rigs on other ports work).
 */
export async function validateHttp01(input: Http01Input, options: ValidationOptions, resolver = new ValidationResolver(options)): Promise<ValidationRecord> {
  const domain = input.domain.toLowerCase();
  const first = challengeUrl(domain, input.token, options.http01Port);
  const record: ValidationRecord = {
    type: 'http-01',
    hostname: domain,
    port: options.http01Port,
    url: first.href,
    addressesResolved: [],
    resolvers: resolver.servers,
    requests: [],
    redirects: [],
  };
  return withDeadline(options.timeoutMs, (deadline) =>
    recordingFailure(record, async () => {
      const ctx: ValidationContext = { options, resolver, deadline };
      let url = first;
      for (let redirects = 0; ; redirects++) {
        const { response, address } = await requestOnce(url, ctx, record);
        if (REDIRECT_STATUSES.has(response.status) && response.location !== undefined) {
          // Redirect refusals are `unauthorized`: the answer was received and is unacceptable,
          // so retrying (as for `connection` problems) could not change it.
          if (redirects >= options.maxRedirects) {
            throw new AcmeError('unauthorized', `Too many redirects: more than ${options.maxRedirects} following ${first.href} (last one from ${url.href} to ${response.location})`);
          }
          url = redirectTarget(url, response.location, options);
          record.redirects!.push(url.href);
          continue;
        }
        if (response.status !== 200) throw new AcmeError('unauthorized', `Invalid response from ${url.href} [${address}]: HTTP ${response.status}`);
        const body = (response.body ?? Buffer.alloc(0)).toString('utf8').replace(TRAILING_WHITESPACE, '');
        record.observed = body.slice(0, 256);
        if (body !== input.keyAuthorization) {
          throw new AcmeError(
            'incorrectResponse',
            `The key authorization file from the server did not match this challenge. Expected ${quoteObserved(input.keyAuthorization, 512)} (got ${quoteObserved(body)})`,
          );
        }
        record.validatedAt = new Date().toISOString();
        return record;
      }
    }),
  );
}

export function challengeUrl(domain: string, token: string, port: number): URL {
  // An IPv6 identifier is written in brackets (RFC 8738 §5; the Host header carries it so too).
  const host = isIP(domain) === 6 ? `[${domain}]` : domain;
  return new URL(`http://${host}${port === 80 ? '' : `:${port}`}/.well-known/acme-challenge/${token}`);
}

/** Resolves and checks url's host, then GETs it from the first reachable checked address. */
async function requestOnce(url: URL, ctx: ValidationContext, record: ValidationRecord): Promise<{ response: FetchedResponse; address: string }> {
  const step: HttpRequestRecord = { url: url.href, hostname: hostOf(url), port: portOf(url), addressesResolved: [], addressesTried: [] };
  record.requests!.push(step);
  const target = await resolveCheckedTarget(step.hostname, ctx);
  step.addressesResolved = target.addressesResolved;
  if (target.resolverUsed !== undefined) step.resolverUsed = target.resolverUsed;
  const isFirst = record.requests!.length === 1;
  if (isFirst) Object.assign(record, { addressesResolved: target.addressesResolved, resolverUsed: target.resolverUsed, addressesTried: step.addressesTried });
  const { address, result } = await tryInOrder(target.connectionOrder, ctx, step.addressesTried, (a) => fetchFromAddress(url, a, ctx.options.maxResponseBytes, ctx.deadline));
  step.addressUsed = address;
  step.status = result.status;
  if (isFirst) record.addressUsed = address;
  return { response: result, address };
}

/** Where a redirect may go (RFC 8555 §8.3 and Boulder's rules), or an `unauthorized` problem. */
function redirectTarget(from: URL, location: string, options: ValidationOptions): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new AcmeError('unauthorized', `Invalid redirect from ${from.href}: Location ${quoteObserved(location)} is not a URL`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') {
    throw new AcmeError('unauthorized', `Redirect from ${from.href} to ${quoteObserved(to.href)} refused: only http and https redirects are followed`);
  }
  const allowedPorts = new Set([80, 443, options.http01Port, options.tlsAlpn01Port]);
  const port = portOf(to);
  if (!allowedPorts.has(port)) {
    throw new AcmeError('unauthorized', `Redirect from ${from.href} to ${quoteObserved(to.href)} refused: port ${port} is not followed (only ${[...allowedPorts].sort((a, b) => a - b).join(', ')})`);
  }
  to.hash = '';
  return to;
}
