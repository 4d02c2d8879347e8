import type { CaBackend, CrlRequest, IssueRequest, IssuedCertificate } from '../ca-backend';
import { x509 } from '../crypto';
import { sha256Hex } from '../csr';
import { type CaFileOptions, type CaMaterial, loadOrCreateCa, randomSerial } from './ca-files';

export interface InternalCaOptions extends CaFileOptions {
  validityMs: number;
  maxValidityMs: number;
  clientAuth: boolean;
  crlUrl: string | null;
  issuerUrl: string | null;
}

const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** Small backdate so clients with a slightly slow clock accept a fresh certificate. */
const BACKDATE_MS = 60_000;

/** A CA that signs with its own key: root and intermediate generated on first start, or given as files. */
export class InternalCa implements CaBackend {
  readonly name = 'internal';
  private constructor(
    private readonly m: CaMaterial,
    private readonly o: InternalCaOptions,
    readonly generated: boolean,
  ) {}

  static async open(o: InternalCaOptions): Promise<InternalCa> {
    const m = await loadOrCreateCa(o);
    return new InternalCa(m, o, m.generated);
  }

  rootPem(): string {
    return this.m.root.toString('pem') + '\n';
  }

  intermediatePem(): string {
    return this.m.intermediate.toString('pem') + '\n';
  }

  issuerName(): string {
    return this.m.intermediate.subject;
  }

  /** RFC 5280 CRL: number and authority key id extensions, one entry per revoked serial with its reason. */
  async signCrl(req: CrlRequest): Promise<Buffer> {
    const issuerSki = this.m.intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.m.intermediate.subjectName,
      thisUpdate: req.thisUpdate,
      nextUpdate: req.nextUpdate,
      signingKey: this.m.intermediateKey,
      signingAlgorithm: this.m.signingAlgorithm,
      extensions: [new x509.Extension('2.5.29.20', false, derInteger(req.crlNumber)), new x509.AuthorityKeyIdentifierExtension(issuerSki)],
      entries: req.entries.map((e) => ({
        serialNumber: e.serial,
        revocationDate: e.revokedAt,
        ...(e.reason !== 0 ? { reason: e.reason as x509.X509CrlReason } : {}),
      })),
    });
    return Buffer.from(crl.rawData);
  }

  health(): { not_after: string } {
    const notAfter = new Date(this.m.intermediate.notAfter);
    if (notAfter <= this.o.now()) throw new Error(`the intermediate certificate expired at ${notAfter.toISOString()}`);
    return { not_after: notAfter.toISOString() };
  }

  async issue(req: IssueRequest): Promise<IssuedCertificate> {
    const now = this.o.now();
    const notBefore = req.notBefore && req.notBefore > now ? req.notBefore : new Date(now.getTime() - BACKDATE_MS);
    let notAfter = new Date(notBefore.getTime() + this.o.validityMs);
    if (req.notAfter && req.notAfter < notAfter) notAfter = req.notAfter;
    const cap = new Date(notBefore.getTime() + this.o.maxValidityMs);
    if (notAfter > cap) notAfter = cap;
    if (notAfter > new Date(this.m.intermediate.notAfter)) notAfter = new Date(this.m.intermediate.notAfter);

    const { csr } = req;
    const publicKey = csr.csr.publicKey;
    const rsa = csr.keyType.startsWith('rsa');
    const issuerSki = this.m.intermediate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (rsa ? x509.KeyUsageFlags.keyEncipherment : 0), true),
      new x509.ExtendedKeyUsageExtension(this.o.clientAuth ? [EKU_SERVER_AUTH, EKU_CLIENT_AUTH] : [EKU_SERVER_AUTH], false),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      new x509.AuthorityKeyIdentifierExtension(issuerSki),
      new x509.SubjectAlternativeNameExtension(csr.names.map((value) => ({ type: 'dns' as const, value }))),
      ...(this.o.crlUrl ? [new x509.CRLDistributionPointsExtension([this.o.crlUrl])] : []),
      ...(this.o.issuerUrl ? [new x509.AuthorityInfoAccessExtension({ caIssuers: new x509.GeneralName('url', this.o.issuerUrl) })] : []),
      ...csr.copyExtensions,
    ];
    const cn = csr.commonName ?? csr.names.find((n) => n.length <= 64);
    const serial = randomSerial();
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject: cn ? [{ CN: [cn] }] : [],
      issuer: this.m.intermediate.subjectName,
      notBefore,
      notAfter,
      publicKey,
      signingKey: this.m.intermediateKey,
      signingAlgorithm: this.m.signingAlgorithm,
      extensions,
    });
    const leafDer = Buffer.from(leaf.rawData);
    return {
      serial,
      chainPem: `${leaf.toString('pem')}\n${this.intermediatePem()}`,
      leafDer,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      fingerprintSha256: sha256Hex(leafDer),
      issuer: this.m.intermediate.subject,
    };
  }
}

/** DER INTEGER of a non-negative number (the CRL number extension's value). */
function derInteger(n: bigint): Uint8Array<ArrayBuffer> {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Uint8Array.from(Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]));
}
