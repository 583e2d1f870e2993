/**
 * Development certificate authorities and identities for the embedded ledger.
 *
 * A {@link DevOrganization} is a stand-in for an organisation's Fabric CA: an EC P-256
 * self-signed CA certificate that issues client certificates carrying Fabric CA
 * attributes (extension OID 1.2.3.4.5.6.7.8.1, JSON `{"attrs":{…}}`), exactly the shape
 * fabric-shim's `ClientIdentity` reads. For tests and local development only.
 */
import { webcrypto, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect polyfill loaded first
import * as x509 from '@peculiar/x509';
import type { LedgerIdentity } from '../port';

x509.cryptoProvider.set(webcrypto as never);

/** The OID under which Fabric CA stores enrolment attributes in a certificate. */
export const FABRIC_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** What {@link DevOrganization.issueIdentity} needs. */
export interface IssueIdentityOptions {
  /** Subject common name (the enrolment ID). */
  readonly commonName: string;
  /** Value of the `role` attribute (e.g. `admin`, `operator`); omitted when undefined. */
  readonly role?: string;
  /** Further attributes; values are strings as in Fabric CA. */
  readonly attrs?: Readonly<Record<string, string>>;
  /** Validity start; defaults to one day before now. */
  readonly notBefore?: Date;
  /** Validity end; defaults to ten years after now. */
  readonly notAfter?: Date;
}

/** Options for {@link createDevOrganization}. */
export interface DevOrganizationOptions {
  /** Organisation name in the CA subject; defaults to the MSP ID without a trailing `MSP`. */
  readonly organizationName?: string;
  /** Validity start of the CA certificate; defaults to one day before now. */
  readonly notBefore?: Date;
  /** Validity end of the CA certificate; defaults to ten years after now. */
  readonly notAfter?: Date;
}

/** An organisation's development CA; issues client identities for the embedded ledger. */
export class DevOrganization {
  /** @internal use {@link createDevOrganization} or {@link loadDevOrganization}. */
  constructor(
    /** MSP ID, e.g. `Org1MSP`. */
    readonly mspId: string,
    /** PEM of the self-signed CA certificate (the MSP's root certificate). */
    readonly caCertificate: string,
    /** PEM (PKCS#8) of the CA private key. */
    readonly caPrivateKey: string,
    private readonly caKey: webcrypto.CryptoKey,
    private readonly caCert: x509.X509Certificate,
  ) {}

  /** The organisation entry to configure a ledger with. */
  get organization(): { readonly mspId: string; readonly rootCertificates: readonly string[] } {
    return { mspId: this.mspId, rootCertificates: [this.caCertificate] };
  }

  /** Issue a client certificate and key signed by this CA, with Fabric CA attributes. */
  async issueIdentity(options: IssueIdentityOptions): Promise<LedgerIdentity> {
    const keys = (await webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const attrs: Record<string, string> = {
      'hf.Affiliation': '',
      'hf.EnrollmentID': options.commonName,
      'hf.Type': 'client',
      ...(options.role === undefined ? {} : { role: options.role }),
      ...options.attrs,
    };
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${escapeDn(options.commonName)}, OU=client, O=${escapeDn(this.caCert.subjectName.getField('O')[0] ?? this.mspId)}`,
      issuer: this.caCert.subject,
      notBefore: options.notBefore ?? new Date(now - DAY_MS),
      notAfter: options.notAfter ?? new Date(now + 3650 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: this.caKey,
      signingAlgorithm: EC_ALGORITHM,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.BasicConstraintsExtension(false, undefined, true),
        await x509.AuthorityKeyIdentifierExtension.create(this.caCert, false),
        new x509.Extension(FABRIC_ATTRIBUTES_OID, false, Buffer.from(JSON.stringify({ attrs }))),
      ],
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
    return { mspId: this.mspId, certificate: cert.toString('pem') + '\n', privateKey: toPem(pkcs8, 'PRIVATE KEY') };
  }
}

/** Create a new development CA for `mspId` (EC P-256, self-signed). */
export async function createDevOrganization(mspId: string, options: DevOrganizationOptions = {}): Promise<DevOrganization> {
  const keys = (await webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const orgName = options.organizationName ?? mspId.replace(/MSP$/, '');
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=ca.${escapeDn(orgName.toLowerCase())}, O=${escapeDn(orgName)}`,
    notBefore: options.notBefore ?? new Date(now - DAY_MS),
    notAfter: options.notAfter ?? new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: EC_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return new DevOrganization(mspId, cert.toString('pem') + '\n', toPem(pkcs8, 'PRIVATE KEY'), keys.privateKey, cert);
}

/**
 * Write the CA certificate and key of `org` to `<directory>/<mspId>/ca-cert.pem` and `ca-key.pem`
 * (the key file is mode 0600).
 */
export async function saveDevOrganization(org: DevOrganization, directory: string): Promise<void> {
  const dir = join(directory, org.mspId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca-cert.pem'), org.caCertificate);
  await writeFile(join(dir, 'ca-key.pem'), org.caPrivateKey, { mode: 0o600 });
}

/** Load a CA written by {@link saveDevOrganization}. */
export async function loadDevOrganization(directory: string, mspId: string): Promise<DevOrganization> {
  const dir = join(directory, mspId);
  const certPem = await readFile(join(dir, 'ca-cert.pem'), 'utf8');
  const keyPem = await readFile(join(dir, 'ca-key.pem'), 'utf8');
  const cert = new x509.X509Certificate(certPem);
  const key = await webcrypto.subtle.importKey('pkcs8', fromPem(keyPem), EC_ALGORITHM, true, ['sign']);
  return new DevOrganization(mspId, certPem, keyPem, key, cert);
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive INTEGER
  return bytes.toString('hex');
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}
