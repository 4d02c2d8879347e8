/**
 * CAA evaluation (RFC 8659 §4, with RFC 8657 `accounturi` and `validationmethods`), pure: the
 * records come from the lookup in src/validation/caa.ts, which climbs the tree and keeps the
 * closest non-empty record set (the "relevant RRset").
 */
export interface CaaRecord {
  /** 128 is the Issuer Critical flag. */
  flags: number;
  tag: string;
  value: string;
}

export interface CaaRequest {
  /** Issuer domain names this CA recognises as its own (acme.caa_identities), lowercase. */
  identities: string[];
  /** The ordering account's URL, compared with `accounturi`. */
  accountUri: string;
  /** The challenge type that proved control, compared with `validationmethods`. */
  method: string;
  /** The certificate will name "*.<domain>": `issuewild` governs when present. */
  wildcard: boolean;
}

export interface CaaVerdict {
  allowed: boolean;
  /** Why, in words fit for a problem document and an auditor. */
  reason: string;
}

/** Tags this CA understands; an unknown one flagged critical forbids issuance (RFC 8659 §4.5). */
const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone']);
const CRITICAL = 128;

export interface IssueValue {
  /** Empty for ";" (nobody may issue). */
  issuer: string;
  parameters: Map<string, string>;
  /** A parameter appeared twice or did not parse: the record cannot authorize anyone. */
  malformed: boolean;
}

/** RFC 8659 §4.2: issuer-domain-name *(";" parameter), parameters as tag=value. */
export function parseIssueValue(value: string): IssueValue {
  const [issuerPart, ...params] = value.split(';');
  const issuer = issuerPart.trim().toLowerCase();
  const parameters = new Map<string, string>();
  let malformed = /\s/.test(issuer);
  for (const raw of params) {
    const p = raw.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) {
      malformed = true;
      continue;
    }
    const tag = p.slice(0, eq).trim().toLowerCase();
    if (parameters.has(tag)) malformed = true;
    parameters.set(tag, p.slice(eq + 1).trim());
  }
  return { issuer, parameters, malformed };
}

function authorizes(record: CaaRecord, req: CaaRequest): boolean {
  const v = parseIssueValue(record.value);
  if (v.malformed || v.issuer === '' || !req.identities.includes(v.issuer)) return false;
  const accountUri = v.parameters.get('accounturi');
  if (accountUri !== undefined && accountUri !== req.accountUri) return false;
  const methods = v.parameters.get('validationmethods');
  if (methods !== undefined && !methods.split(',').map((m) => m.trim()).includes(req.method)) return false;
  return true;
}

/** The verdict on the relevant record set (empty when no name up the tree has CAA records). */
export function evaluateCaa(records: CaaRecord[], req: CaaRequest): CaaVerdict {
  const unknownCritical = records.find((r) => (r.flags & CRITICAL) !== 0 && !KNOWN_TAGS.has(r.tag.toLowerCase()));
  if (unknownCritical) {
    return { allowed: false, reason: `CAA record with the unknown critical tag "${unknownCritical.tag}" forbids issuance` };
  }
  const tagged = (tag: string) => records.filter((r) => r.tag.toLowerCase() === tag);
  const wild = tagged('issuewild');
  const property = req.wildcard && wild.length > 0 ? 'issuewild' : 'issue';
  const relevant = property === 'issuewild' ? wild : tagged('issue');
  if (relevant.length === 0) return { allowed: true, reason: records.length === 0 ? 'no CAA records' : `no CAA "${property}" records` };
  const match = relevant.find((r) => authorizes(r, req));
  if (match) return { allowed: true, reason: `CAA "${property} ${match.value}" authorizes this CA` };
  const ids = req.identities.length ? req.identities.join(', ') : '(none configured)';
  return {
    allowed: false,
    reason: `CAA "${property}" records (${relevant.map((r) => JSON.stringify(r.value)).join(', ')}) do not authorize this CA (${ids}) for account ${req.accountUri} with ${req.method}`,
  };
}
