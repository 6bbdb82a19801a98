// Certificate generation for self-managed webhook certificates, through @peculiar/x509 and
// WebCrypto (ECDSA P-256). Deno's TLS refuses a CA certificate as the server's own, so a CA
// and a separate serving leaf are made.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface _GeneratedPair {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

function _serial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f; // positive
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

async function _pemKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

async function _importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  return await crypto.subtle.importKey("pkcs8", der, ALG, true, ["sign"]);
}

/** A CA (when none is given) and a serving certificate for the names and IPs. */
export async function _generate(options: {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  now: Date;
  caValidityDays: number;
  validityDays: number;
  ca?: { cert: string; key: string };
}): Promise<_GeneratedPair> {
  const day = 86_400_000;
  const notBefore = new Date(options.now.getTime() - 5 * 60_000); // clock skew
  let caCert: x509.X509Certificate;
  let caPrivate: CryptoKey;
  let caKeyPem: string;
  if (options.ca) {
    caCert = new x509.X509Certificate(options.ca.cert);
    caPrivate = await _importKey(options.ca.key);
    caKeyPem = options.ca.key;
  } else {
    const caKeys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: _serial(),
      name: `CN=${options.commonName}-ca`,
      notBefore,
      notAfter: new Date(options.now.getTime() + options.caValidityDays * day),
      keys: caKeys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    caPrivate = caKeys.privateKey;
    caKeyPem = await _pemKey(caKeys.privateKey);
  }
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: _serial(),
    subject: `CN=${options.commonName}`,
    issuer: caCert.subject,
    notBefore,
    notAfter: new Date(options.now.getTime() + options.validityDays * day),
    publicKey: keys.publicKey,
    signingKey: caPrivate,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...options.dnsNames.map((value) => ({ type: "dns" as const, value })),
        ...options.ipAddresses.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return {
    caCert: caCert.toString("pem"),
    caKey: caKeyPem,
    cert: leaf.toString("pem"),
    key: await _pemKey(keys.privateKey),
  };
}

/** What a stored certificate says about itself (for deciding to renew or re-issue). */
export function _inspect(
  pem: string,
): { notAfter: Date; dnsNames: string[]; ipAddresses: string[] } | undefined {
  try {
    const c = new x509.X509Certificate(pem);
    const san = c.getExtension(x509.SubjectAlternativeNameExtension);
    const names = san?.names.toJSON() ?? [];
    return {
      notAfter: c.notAfter,
      dnsNames: names.filter((n) => n.type === "dns").map((n) => n.value),
      ipAddresses: names.filter((n) => n.type === "ip").map((n) => n.value),
    };
  } catch {
    return undefined;
  }
}

/** True when `cert` was signed by `ca`. */
export async function _signedBy(cert: string, ca: string): Promise<boolean> {
  try {
    return await new x509.X509Certificate(cert).verify({
      publicKey: new x509.X509Certificate(ca).publicKey,
      signatureOnly: true,
    });
  } catch {
    return false;
  }
}
