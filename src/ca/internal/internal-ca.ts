import type { CaBackend, CrlRequest, IssueRequest, IssuedCertificate, IssuerCertificates } from '../ca-backend';
import { x509 } from '../crypto';
import type { CsrExtension } from '../csr-der';
import { mustStapleExtension } from '../csr-extensions';
import { derInteger, sha256Hex } from '../der';
import { checkCertificateKey, type CertificateKeyType, subjectKeyIdentifier } from '../key-policy';
import { type CaFileOptions, type CaMaterial, loadOrCreateCa } from './ca-files';
import type { CaKeyType } from './key-files';
import { leafCommonName, leafExtensions, leafValidity } from './leaf-profile';
import { LeafSigner } from './leaf-signer';
import { randomSerial } from './serial';

export interface InternalCaOptions extends Omit<CaFileOptions, 'keyType'> {
  /** Key type of a generated CA; ignored when the CA files are configured. Default ecdsa-p256. */
  keyType?: CaKeyType;
  /** Default leaf validity; default 90 days. */
  validityMs?: number;
  /** No leaf outlives this, whatever was requested; default 398 days (CA/Browser Forum limit). */
  maxValidityMs?: number;
  /** Adds the clientAuth extended key usage to leaves. */
  clientAuth?: boolean;
  crlUrl?: string | null;
  issuerUrl?: string | null;
  clock?: () => Date;
}

const DAY_MS = 86_400_000;
const DEFAULT_VALIDITY_MS = 90 * DAY_MS;
const DEFAULT_MAX_VALIDITY_MS = 398 * DAY_MS;
const OID_CRL_NUMBER = '2.5.29.20';

const pemOf = (cert: x509.X509Certificate) => `${cert.toString('pem')}\n`;

interface LeafRequest {
  /** SubjectPublicKeyInfo, DER, as the key policy read it. */
  publicKeyDer: Uint8Array;
  subjectKeyId: string;
  keyType: CertificateKeyType;
  names: string[];
  commonName: string | null;
  copy: CsrExtension[];
}

/** What every certificate repeats of its issuer, worked out once rather than per certificate. */
interface IssuerFacts {
  name: x509.Name;
  subject: string;
  keyId: string;
  chainPem: string;
  signer: LeafSigner;
}

/** A CA that signs with its own intermediate key: generated on first start, or given as files. */
export class InternalCa implements CaBackend {
  readonly name = 'internal';
  private material: CaMaterial | null = null;
  private issuer: IssuerFacts | null = null;
  private opening: Promise<void> | null = null;
  private readonly clock: () => Date;

  constructor(private readonly options: InternalCaOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Creates and initialises in one step. */
  static async open(options: InternalCaOptions): Promise<InternalCa> {
    const ca = new InternalCa(options);
    await ca.init();
    return ca;
  }

  init(): Promise<void> {
    this.opening ??= loadOrCreateCa({ ...this.options, keyType: this.options.keyType ?? 'ecdsa-p256' }, this.clock()).then(
      async (m) => {
        this.material = m;
        const ski = m.intermediate.getExtension(x509.SubjectKeyIdentifierExtension);
        this.issuer = {
          name: m.intermediate.subjectName,
          subject: m.intermediate.subject,
          keyId: ski ? ski.keyId : (await x509.SubjectKeyIdentifierExtension.create(m.intermediate.publicKey)).keyId,
          chainPem: pemOf(m.intermediate),
          signer: LeafSigner.create(m.signingKey, m.signingAlgorithm, m.intermediate),
        };
      },
      (e: unknown) => {
        this.opening = null; // a fixed configuration may be retried
        throw e;
      },
    );
    return this.opening;
  }

  /** True when init() generated a new root and intermediate. */
  get generated(): boolean {
    return this.m.generated;
  }

  private get m(): CaMaterial {
    if (!this.material) throw new Error('the internal CA is not initialised: call init() first');
    return this.material;
  }

  private get i(): IssuerFacts {
    if (!this.issuer) throw new Error('the internal CA is not initialised: call init() first');
    return this.issuer;
  }

  issuerCertificates(): IssuerCertificates {
    return { intermediate: this.m.intermediate, root: this.m.root };
  }

  rootPem(): string {
    return pemOf(this.m.root);
  }

  intermediatePem(): string {
    return pemOf(this.m.intermediate);
  }

  chainPem(): string {
    return this.i.chainPem;
  }

  issuerName(): string {
    return this.i.subject;
  }

  health(): { not_after: string } {
    const notAfter = this.m.intermediate.notAfter;
    if (notAfter <= this.clock()) throw new Error(`the intermediate certificate expired at ${notAfter.toISOString()}`);
    return { not_after: notAfter.toISOString() };
  }

  private async leafRequest(req: IssueRequest): Promise<LeafRequest> {
    if (req.csr) {
      const { csr } = req;
      if (req.names && [...new Set(req.names.map((n) => n.toLowerCase()))].sort().join() !== csr.names.join()) {
        throw new Error(`issue: names ${req.names.join(', ')} differ from the CSR's names ${csr.names.join(', ')}`);
      }
      return { publicKeyDer: csr.publicKeyDer, subjectKeyId: subjectKeyIdentifier(csr), keyType: csr.keyType, names: csr.names, commonName: csr.commonName, copy: csr.copyExtensions };
    }
    const key = checkCertificateKey(req.publicKeyDer);
    if (req.keyType && req.keyType !== key.keyType) throw new Error(`issue: keyType ${req.keyType} does not match the ${key.keyType} public key`);
    const names = [...new Set(req.names.map((n) => n.toLowerCase()))].sort();
    if (names.length === 0) throw new Error('issue: at least one name is needed');
    return { publicKeyDer: key.publicKeyDer, subjectKeyId: subjectKeyIdentifier(key), keyType: key.keyType, names, commonName: null, copy: req.mustStaple ? [mustStapleExtension()] : [] };
  }

  async issue(req: IssueRequest): Promise<IssuedCertificate> {
    const m = this.m;
    const leafReq = await this.leafRequest(req);
    const { notBefore, notAfter } = leafValidity(
      this.clock(),
      req,
      { validityMs: req.profile?.validityMs ?? this.options.validityMs ?? DEFAULT_VALIDITY_MS, maxValidityMs: this.options.maxValidityMs ?? DEFAULT_MAX_VALIDITY_MS },
      m.intermediate.notAfter,
    );
    const cn = req.profile?.commonName === false ? null : leafCommonName(leafReq.commonName, leafReq.names);
    const issuer = this.i;
    const extensions = leafExtensions({
      subjectKeyId: leafReq.subjectKeyId,
      keyType: leafReq.keyType,
      names: leafReq.names,
      subjectEmpty: cn === null,
      issuerKeyId: issuer.keyId,
      clientAuth: req.profile?.clientAuth ?? this.options.clientAuth ?? false,
      crlUrl: this.options.crlUrl ?? null,
      issuerUrl: this.options.issuerUrl ?? null,
      copy: leafReq.copy,
    });
    const serial = randomSerial();
    const leaf = issuer.signer.sign({
      serial,
      commonName: cn || null,
      notBefore,
      notAfter,
      publicKeyDer: leafReq.publicKeyDer,
      extensions,
    });
    return {
      serial,
      certificatePem: leaf.pem,
      chainPem: leaf.pem + issuer.chainPem,
      der: leaf.der,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      fingerprintSha256: sha256Hex(leaf.der),
      issuer: issuer.subject,
    };
  }

  /** RFC 5280 CRL: CRL number and authority key id extensions, one entry per revoked serial with its reason. */
  async signCrl(req: CrlRequest): Promise<Buffer> {
    const m = this.m;
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.i.name,
      thisUpdate: req.thisUpdate,
      nextUpdate: req.nextUpdate,
      signingKey: m.signingKey,
      signingAlgorithm: m.signingAlgorithm,
      extensions: [new x509.Extension(OID_CRL_NUMBER, false, derInteger(req.crlNumber)), new x509.AuthorityKeyIdentifierExtension(this.i.keyId)],
      entries: req.entries.map((e) => ({
        serialNumber: e.serial,
        revocationDate: e.revokedAt,
        ...(e.reason !== 0 ? { reason: e.reason as x509.X509CrlReason } : {}),
      })),
    });
    return Buffer.from(crl.rawData);
  }
}
