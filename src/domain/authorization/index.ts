import type { Decider } from '../decider';
import { type AuthorizationCommand, type AuthorizationContext, decideAuthorization } from './decide';
import { type AuthorizationState, evolveAuthorization, initialAuthorizationState } from './state';

export { offeredChallengeTypes } from '../challenge';
export * from './decide';
export * from './state';
export * from './status';

export const authorizationDecider: Decider<AuthorizationState | null, AuthorizationCommand, AuthorizationContext> = {
  initialState: initialAuthorizationState,
  evolve: evolveAuthorization,
  decide: decideAuthorization,
};
