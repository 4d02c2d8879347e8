import { AcmeError } from '../domain/errors';
import type { CaaCheckData } from '../domain/events';
import { type CaaRecord, evaluateCaa } from '../domain/policy/caa';
import type { ValidationResolver } from './resolver';

export interface CaaSettings {
  /** Issuer domain names of this CA (acme.caa_identities). */
  identities: string[];
  /** The URL of an account, as `accounturi` names it. */
  accountUri: (accountId: string) => string;
}

export interface CaaQuestion {
  domain: string;
  wildcard: boolean;
  method: string;
  accountId: string;
}

/** The names CAA looks at for `domain`: itself, then each parent up to the top-level label. */
export function caaTree(domain: string): string[] {
  const labels = domain.toLowerCase().split('.');
  return labels.map((_, i) => labels.slice(i).join('.'));
}

/**
 * The CAA check (RFC 8659 §3): every name up the tree is queried at once, the closest name with
 * records is the relevant set, and a DNS failure at or below it fails the check (a `dns`
 * problem): issuance is never allowed on an answer we did not get. The result, allowed or not,
 * is returned for the events; a refusal is turned into a `caa` problem by `assertCaaAllowed`.
 */
export class CaaChecker {
  constructor(
    private readonly resolver: ValidationResolver,
    private readonly settings: CaaSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async check(q: CaaQuestion): Promise<CaaCheckData> {
    const names = caaTree(q.domain);
    const answers = await Promise.all(names.map((n) => this.resolver.caa(n).then((a) => ({ a }), (error: unknown) => ({ error }))));
    let relevant: { name: string; records: CaaRecord[]; resolverUsed: string } | null = null;
    let resolverUsed: string | null = null;
    for (let i = 0; i < names.length; i++) {
      const answer = answers[i];
      if ('error' in answer) {
        const e = answer.error;
        throw e instanceof AcmeError ? new AcmeError('dns', `CAA lookup failed, so issuance is not allowed: ${e.detail}`) : e;
      }
      resolverUsed = answer.a.resolverUsed;
      if (answer.a.records.length > 0) {
        relevant = { name: names[i], ...answer.a };
        break;
      }
    }
    const accountUri = this.settings.accountUri(q.accountId);
    const identities = this.settings.identities.map((i) => i.toLowerCase());
    const verdict = evaluateCaa(relevant?.records ?? [], { identities, accountUri, method: q.method, wildcard: q.wildcard });
    return {
      checkedAt: this.now().toISOString(),
      domain: q.domain,
      wildcard: q.wildcard,
      method: q.method,
      accountUri,
      identities,
      relevantName: relevant?.name ?? null,
      resolverUsed: relevant?.resolverUsed ?? resolverUsed,
      records: relevant?.records ?? [],
      allowed: verdict.allowed,
      reason: relevant ? `${verdict.reason} (records at ${relevant.name})` : verdict.reason,
    };
  }
}

/** The `caa` problem for a refusal (RFC 8555 §6.7), naming the identifier. */
export function caaRefusal(check: CaaCheckData): AcmeError {
  return new AcmeError('caa', `CAA forbids issuance for ${check.wildcard ? '*.' : ''}${check.domain}: ${check.reason}`);
}
