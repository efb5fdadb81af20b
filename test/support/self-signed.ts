import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsIdentity } from '../../local/loopback-server';

/**
 * A fresh self-signed certificate for `hostname` (default localhost), valid one day, made with the
 * openssl CLI; `certFile` is where the certificate stays for NODE_EXTRA_CA_CERTS until `remove()`.
 */
export function selfSignedCertificate(hostname = 'localhost'): TlsIdentity & { certFile: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hopae-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${hostname}`,
        '-addext', `subjectAltName=DNS:${hostname}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not make a test certificate with the openssl CLI (install openssl): ${(error as Error).message}`);
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), hostname, certFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
