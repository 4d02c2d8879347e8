import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe, which needs it
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** @peculiar/x509 runs on Node's WebCrypto. */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const subtle = webcrypto.subtle;
export { x509 };
