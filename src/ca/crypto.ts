import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe, which needs it
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** @peculiar/x509 runs on Node's WebCrypto. */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const subtle = webcrypto.subtle;

/** Node's digest names for the WebCrypto hashes the CA signs and accepts signatures with. */
export const NODE_HASH: Readonly<Record<string, string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
export { x509 };
