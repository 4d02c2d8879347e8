/**
 * The ACME resources exactly as they go on the wire, kept apart from the domain's state types:
 * the domain may change its shape, these change only with the protocol.
 */
export type { WireAccount, WireOrdersList } from './account';
export type { WireAuthorization, WireAuthorizationStatus, WireChallenge, WireChallengeStatus } from './authorization';
export type { WireDirectory, WireDirectoryMeta } from './directory';
export type { WireOrder, WireOrderStatus } from './order';
export type { WireIdentifier, WireProblem, WireSubproblem } from './problem';
export type { WireRenewalInfo } from './renewal-info';
