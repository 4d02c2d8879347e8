import { reusableAuthorizationsRead } from '../../../projections/authorizations/queries';
import type { AcmeDeps } from '../../commands/acme-deps';
import { orderIdentifiers, reuseLookup } from '../../commands/order.commands';
import type { SqlPart } from '../../db/db';
import { authorizationKey } from '../../domain/identifiers';
import { UnverifiedBody } from './unverified-body';

/**
 * The reusable-authorization read of a newOrder, built from its body before the signature is
 * checked, so that it travels in the request's first statement with the nonce and the account
 * key: the account the `kid` names and the names the payload asks for, normalized as the handler
 * does. Anything that is not a well-formed newOrder body gives null, and the handler reads for
 * itself; it also uses the answer only for the account and names of the verified request.
 */
export function newOrderReuseRead(deps: AcmeDeps, body: unknown, accountUrlPrefix: string): { accountId: string; keys: string[]; read: SqlPart } | null {
  const unverified = new UnverifiedBody(body);
  const kid = unverified.kid();
  if (!kid?.startsWith(accountUrlPrefix)) return null;
  const accountId = kid.slice(accountUrlPrefix.length);
  let keys: string[];
  try {
    keys = orderIdentifiers(deps, unverified.payload()?.identifiers).map((i) => authorizationKey(i.value));
  } catch {
    return null;
  }
  return { accountId, keys, read: reusableAuthorizationsRead(...reuseLookup(deps, accountId, keys)) };
}
