import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { accountKeyLookup } from '../../../projections/accounts/queries';
import { ACME_DEPS, type AcmeDeps, type RequestMeta } from '../../commands/acme-deps';
import type { ReadStreams } from '../../commands/aggregate-store';
import { AcmeError } from '../../domain/errors';
import type { SqlPart } from '../../db/db';
import type { StreamLink } from '../../eventstore/event-store';
import { verifyAcmeJws, type VerifiedRequest } from '../jws/verify';
import { ACME_CONTEXT, type AcmeContext } from './acme-context';

/** Streams a request will decide on, named by its URL (see `EventStore.readStreams`). */
export interface Prefetch {
  streams?: string[];
  linked?: StreamLink;
  /** Further reads of the request's, run in the same statement; their values come back in `also`, in order. */
  also?: readonly SqlPart[];
}

/** Checks the transport (content type) and the JWS of a POST, consuming its nonce. */
@Injectable()
export class JwsService {
  constructor(
    @Inject(ACME_CONTEXT) private readonly acme: AcmeContext,
    @Inject(ACME_DEPS) private readonly deps: AcmeDeps,
  ) {}

  /**
   * With `prefetch` (the streams the URL names, for a kid-signed request), those streams are read
   * in the statement that redeems the nonce and looks up the key, and handed back only once the
   * JWS passed: the handler decides on them (a revision conflict rereads, so a read that is stale
   * by then is safe).
   */
  async verify(req: FastifyRequest, expectKey: 'jwk' | 'kid' | 'either', prefetch?: Prefetch): Promise<VerifiedRequest & { prefetched: ReadStreams | null; also: unknown[] }> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/jose+json') {
      throw new AcmeError('malformed', `Content-Type must be application/jose+json (got ${type || 'none'})`, [], { reason: { kind: 'unsupportedMediaType' } });
    }
    let body: unknown = req.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        throw new AcmeError('malformed', 'request body is not valid JSON');
      }
    }
    const read = prefetch?.streams ? this.deps.aggregates.store.streamsRead(prefetch.streams, prefetch.linked) : null;
    let prefetched: ReadStreams | null = null;
    let also: unknown[] = [];
    const verified = await verifyAcmeJws(body, {
      requestUrl: this.acme.urls.requestUrl(req.url),
      expectKey,
      accountUrlPrefix: this.acme.urls.accountPrefix(),
      consumeNonce: (n) => this.acme.nonces.consume(n),
      releaseNonce: (n) => this.acme.nonces.release(n),
      lookupAccount: async (id, nonce) => {
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return { account: null, nonceFresh: null };
        const redemption = nonce ? await this.acme.nonces.redemption(nonce) : null;
        const found = await accountKeyLookup(this.deps.db, id, redemption, [...(read ? [read] : []), ...(prefetch?.also ?? [])]);
        prefetched = read ? read.parse(found.alongside[0]) : null;
        also = found.alongside.slice(read ? 1 : 0);
        const account = found.account ? { accountId: id, jwk: found.account.jwk as unknown as JWK, status: found.account.status, eabKeyId: found.account.eabKeyId } : null;
        return { account, nonceFresh: found.fresh };
      },
    });
    return { ...verified, prefetched, also };
  }

  meta(req: FastifyRequest): RequestMeta {
    const requestId = req.headers['x-request-id'];
    return { sourceIp: req.ip, requestId: typeof requestId === 'string' ? requestId : String(req.id) };
  }
}
