import type { CheckedCsr } from './csr';

/** What a CA backend signs and returns. Backends live behind this port (internal now; more later). */
export interface IssueRequest {
  csr: CheckedCsr;
  notBefore: Date | null;
  notAfter: Date | null;
}

export interface IssuedCertificate {
  /** Lowercase hex, no separators. */
  serial: string;
  /** Leaf then intermediate, as served in application/pem-certificate-chain. */
  chainPem: string;
  leafDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  fingerprintSha256: string;
  issuer: string;
}

export interface CaBackend {
  readonly name: string;
  issue(req: IssueRequest): Promise<IssuedCertificate>;
  /** Root certificate PEM, for trust stores and tests. */
  rootPem(): string;
  intermediatePem(): string;
  /** Throws when the backend cannot sign (e.g. its issuing certificate expired). */
  health(): { not_after: string };
  /** Signs a CRL of the issuing CA (DER). */
  signCrl(req: CrlRequest): Promise<Buffer>;
  /** Stable name of the issuing CA, for CRL bookkeeping. */
  issuerName(): string;
}

export interface CrlRequest {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: Array<{ serial: string; revokedAt: Date; reason: number }>;
}
