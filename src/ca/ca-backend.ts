import type { x509 } from './crypto';
import type { CheckedCsr } from './csr';
import type { CertificateKeyType } from './key-policy';

/**
 * The port every CA backend implements (internal now; external CAs later). Callers check the CSR
 * first (csr.ts) and hand the backend either the checked CSR or a bare public key with its names.
 */
interface IssueValidity {
  /** Requested start; the backend never backdates further than its own small allowance. */
  notBefore?: Date | null;
  /** Requested end; the backend's default validity and its maximum still cap it. */
  notAfter?: Date | null;
  /** The order's certificate profile, overriding the backend's defaults. */
  profile?: { validityMs: number | null; clientAuth: boolean; commonName: boolean };
}

export interface IssueFromCsr extends IssueValidity {
  csr: CheckedCsr;
  /** Defaults to the CSR's names; when given, must be the same set. */
  names?: string[];
  publicKeyDer?: undefined;
}

export interface IssueFromPublicKey extends IssueValidity {
  /** SubjectPublicKeyInfo DER; checked against the same key policy as a CSR's key. */
  publicKeyDer: Uint8Array;
  names: string[];
  /** When given, must match the key. */
  keyType?: CertificateKeyType;
  mustStaple?: boolean;
  csr?: undefined;
}

export type IssueRequest = IssueFromCsr | IssueFromPublicKey;

export interface IssuedCertificate {
  /** Lowercase hex of the DER INTEGER's content bytes, exactly as in the certificate and the CRL. */
  serial: string;
  /** The leaf alone, PEM. */
  certificatePem: string;
  /** Leaf then intermediate, as served in application/pem-certificate-chain. */
  chainPem: string;
  /** The leaf, DER. */
  der: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** Lowercase hex SHA-256 of the leaf DER. */
  fingerprintSha256: string;
  /** Subject of the issuing certificate (RFC 4514 text). */
  issuer: string;
}

export interface IssuerCertificates {
  /** The certificate that signs leaves and CRLs. */
  intermediate: x509.X509Certificate;
  /** The trust anchor the intermediate chains to. */
  root: x509.X509Certificate;
}

export interface CrlRequest {
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: Array<{ serial: string; revokedAt: Date; reason: number }>;
}

export interface CaBackend {
  readonly name: string;
  /** Loads (or on first start creates) the signing material. Idempotent. */
  init(): Promise<void>;
  issue(req: IssueRequest): Promise<IssuedCertificate>;
  /** The issuer chain appended to every leaf (intermediate, without the root), PEM. */
  chainPem(): string;
  issuerCertificates(): IssuerCertificates;
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
