import { randomBytes } from '../random-bytes';
import type { CaBackend } from '../ca/ca-backend';
import { CrlBuilder } from '../ca/crl-builder';
import type { CrlStatus } from '../ca/crl-token';
import { openCa } from '../ca/open-ca';
import type { AcmeDeps } from '../commands/acme-deps';
import type { Config } from '../config';
import type { ProfilePolicy } from '../domain/policy/profiles';
import type { ValidationOutcome } from '../domain/authorization';
import { QUEUES } from '../jobs/job-queue';
import { type KnownAuthorization, performValidation, runValidationJob } from '../jobs/validation.worker';
import { counted } from './counted-job';
import type { Metrics } from '../ops/metrics';
import type { Runtime } from './runtime';
import { CaaChecker } from '../validation/caa';
import { ValidationResolver } from '../validation/resolver';
import { ChallengeValidator } from '../validation/validator';
import type { AcmeContext } from '../acme/http/acme-context';
import { NonceStore } from '../db/nonce-store';
import { AcmeUrls } from '../acme/urls';
import { formatPeriod, RateLimiter } from '../ratelimit/rate-limiter';
import { assertContactsAllowed, mailDomainResolver } from '../commands/contact-policy';

export interface AcmeServices {
  context: AcmeContext;
  deps: AcmeDeps;
  validator: ChallengeValidator;
  ca: CaBackend;
  crl: CrlStatus | null;
}

const newId = () => randomBytes(12).toString('base64url');
const newToken = () => randomBytes(32).toString('base64url');

/** Builds the ACME pieces from configuration: CA backend, URLs, nonces, policy, validator. */
export async function createAcmeServices(config: Config, rt: Runtime, metrics: Metrics): Promise<AcmeServices> {
  const ca = await openCa(config);
  const instrumented: CaBackend = {
    name: ca.name,
    rootPem: () => ca.rootPem(),
    intermediatePem: () => ca.intermediatePem(),
    init: () => ca.init(),
    chainPem: () => ca.chainPem(),
    issuerCertificates: () => ca.issuerCertificates(),
    health: () => ca.health(),
    signCrl: (req) => ca.signCrl(req),
    issuerName: () => ca.issuerName(),
    issue: async (req) => {
      const end = metrics.signingDuration.startTimer();
      try {
        return await ca.issue(req);
      } catch (e) {
        metrics.signingErrors.inc();
        throw e;
      } finally {
        end();
      }
    },
  };
  if (ca.generated) rt.log.info({ dir: `${config.data_dir}/ca` }, 'generated a new root and intermediate CA');
  const validator = timedValidator(config, metrics);
  const validateNow = counted(rt, metrics, QUEUES.validation, (authzId: string, challengeId: string, jobId: string, known?: KnownAuthorization, started?: Promise<ValidationOutcome>) =>
    runValidationJob(deps, validator, { authzId, challengeId }, config.validation.attempts, jobId, known, started),
  );
  const urls = new AcmeUrls(config.server.external_url);
  const caa = config.validation.caa
    ? new CaaChecker(new ValidationResolver({ resolvers: config.validation.resolvers, timeoutMs: config.validation.timeout }), {
        identities: config.acme.caa_identities,
        accountUri: (id) => urls.account(id),
      })
    : null;
  const deps: AcmeDeps = {
    caa,
    aggregates: rt.aggregates,
    jobs: rt.jobs,
    work: {
      // A validation that fails here is left to its safety-net job. One the request did not start
      // begins once the challenge's response is written: its first steps (a resolver, the first
      // DNS query) run without a wait and would otherwise hold the response that asked for them.
      validate: (authzId, challengeId, jobId, known, started) => void setImmediate(() => void validateNow(authzId, challengeId, jobId, known, started).catch(() => undefined)),
      inline: { waitMs: config.validation.inline_wait, start: (authz, challengeId) => performValidation(deps, validator, authz, challengeId, config.validation.attempts) },
    },
    db: rt.db.pool,
    ca: instrumented,
    now: () => new Date(),
    newId,
    newToken,
    limits: new RateLimiter(rt.db.pool, config.rate_limits, {
      refused: (r) => {
        metrics.rateLimited.inc({ limit: r.limit });
        rt.log.info({ limit: r.limit, subject: r.subject, sourceIp: r.context.ip, accountId: r.context.accountId, retryAfterMs: r.retryAfterMs }, 'rate limited');
        rt.audit?.append({
          event: 'rate_limited',
          decision: 'deny',
          account_id: r.context.accountId ?? null,
          source_ip: r.context.ip ?? null,
          request_id: r.context.requestId ?? null,
          reason: r.limit,
          details: { subject: r.subject, count: r.count, period: r.periodMs ? formatPeriod(r.periodMs) : null, retry_after_ms: r.retryAfterMs, resets_at: r.resetsAt.toISOString() },
        });
      },
      failedOpen: (limit, err) => rt.log.warn({ limit, err: err.message }, 'rate limit check failed; the request goes on'),
    }),
    checkContacts: (() => {
      const policy = { domains: config.acme.contact_domains.map((d) => d.toLowerCase().replace(/\.$/, '')), mxCheck: config.acme.contact_mx_check };
      if (policy.domains.length === 0 && !policy.mxCheck) return undefined;
      const resolver = mailDomainResolver(config.validation.resolvers, config.validation.timeout);
      return (contact: unknown) => assertContactsAllowed(contact, policy, resolver);
    })(),
    policy: {
      orderLifetimeMs: config.acme.order_lifetime,
      authorizationLifetimeMs: config.acme.authorization_lifetime,
      pendingAuthorizationLifetimeMs: config.acme.pending_authorization_lifetime,
      authorizationReuseMs: config.acme.authorization_reuse,
      maxIdentifiers: config.acme.max_identifiers,
      maxValidityMs: config.acme.max_validity,
      termsOfServiceRequired: Boolean(config.acme.terms_of_service),
      eabRequired: config.acme.eab_required,
      ordersPageSize: config.acme.orders_page_size,
      caaRecheckAfterMs: config.validation.caa_recheck_after,
      profiles: profilePolicy(config),
      ipIdentifiers: config.acme.ip_identifiers,
    },
  };
  const nonces = new NonceStore(rt.db.pool, config.acme.nonce_lifetime);
  await nonces.start();
  const context: AcmeContext = { urls, nonces, pollRetryAfterMs: config.acme.retry_after };
  const crlSettings = { validityMs: config.crl.validity, refreshMs: config.crl.refresh };
  const crl = config.crl.enabled ? { builder: new CrlBuilder(rt.db.backgroundPool, instrumented, crlSettings), settings: crlSettings, startedAt: new Date() } : null;
  return { context, deps, validator, ca: instrumented, crl };
}

/** acme.profiles as the domain reads them. */
function profilePolicy(config: Config): ProfilePolicy {
  return {
    defaultProfile: config.acme.default_profile,
    profiles: config.acme.profiles.map((p) => ({
      name: p.name,
      description: p.description,
      validityMs: p.validity_days === null ? null : p.validity_days * 86_400_000,
      keyTypes: p.key_types,
      clientAuth: p.client_auth,
      allowWildcard: p.allow_wildcard,
      allowIp: p.allow_ip,
      commonName: p.common_name,
    })),
  };
}

/** The challenge validator from configuration, with its duration histogram. */
function timedValidator(config: Config, metrics: Metrics): ChallengeValidator {
  const validator = new ChallengeValidator({
    resolvers: config.validation.resolvers,
    http01Port: config.validation.http01_port,
    tlsAlpn01Port: config.validation.tls_alpn01_port,
    allowPrivateNetworks: config.validation.allow_private_networks,
    timeoutMs: config.validation.timeout,
    maxRedirects: config.validation.max_redirects,
    maxResponseBytes: config.validation.max_response_bytes,
  });
  return {
    validate: async (...args: Parameters<ChallengeValidator['validate']>) => {
      const end = metrics.validationDuration.startTimer({ type: args[0] });
      try {
        const record = await validator.validate(...args);
        end({ result: 'success' });
        return record;
      } catch (e) {
        end({ result: 'failure' });
        throw e;
      }
    },
  } as ChallengeValidator;
}
