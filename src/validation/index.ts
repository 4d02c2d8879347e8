/** The validation authority: challenge checks (RFC 8555 §8, RFC 8737) with the address policy. */
export { validateChallenge, ChallengeValidator, type ChallengeInput } from './validator';
export { validateHttp01, type Http01Input } from './http01';
export { validateDns01, dns01RecordName, type Dns01Input } from './dns01';
export { validateTlsAlpn01, ACME_TLS_ALPN_PROTOCOL, type TlsAlpn01Input } from './tls-alpn01';
export { checkAcmeTlsCertificate, expectedAcmeIdentifier, ACME_IDENTIFIER_OID } from './acme-tls-certificate';
export { keyAuthorization, keyAuthorizationDigest } from './key-authorization';
export { assertAddressAllowed, classifyAddress, isAddressAllowed, addressRangeOf } from './address-policy';
export { ValidationResolver } from './resolver';
export { DEFAULT_VALIDATION_OPTIONS, DEFAULT_MAX_REDIRECTS, type ValidationOptions } from './options';
export type { ValidationRecord, HttpRequestRecord } from './record';
