import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files (paths) made by `createTestCertificates`. */
export interface TestCertificates {
  /** The CA that signed the server and client certificates. */
  readonly caCert: string;
  /** For 127.0.0.1 (subjectAltName IP:127.0.0.1). */
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate (extendedKeyUsage clientAuth) signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate signed by another CA: one a server trusting only `caCert` must refuse. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

/**
 * Makes a CA, a server certificate for 127.0.0.1 and client certificates in `dir` with the `openssl` command (P-256
 * keys, valid one day). The caller owns `dir` and removes it.
 */
export function createTestCertificates(dir: string): TestCertificates {
  const ca = authority(dir, 'ca');
  const server = signed(dir, ca, 'server', 'subjectAltName=IP:127.0.0.1');
  const client = signed(dir, ca, 'client', 'extendedKeyUsage=clientAuth');
  const stranger = signed(dir, authority(dir, 'stranger-ca'), 'stranger', 'extendedKeyUsage=clientAuth');
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    strangerCert: stranger.cert,
    strangerKey: stranger.key,
  };
}

interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

function authority(dir: string, name: string): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  openssl(['req', '-x509', ...NEW_KEY, '-keyout', pair.key, '-out', pair.cert, '-days', '1', '-subj', `/CN=${name}`]);
  return pair;
}

function signed(dir: string, ca: KeyPair, name: string, extension: string): KeyPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const request = join(dir, `${name}.csr`);
  const extensions = join(dir, `${name}.ext`);
  writeFileSync(extensions, `${extension}\n`);
  openssl(['req', ...NEW_KEY, '-keyout', pair.key, '-out', request, '-subj', `/CN=${name}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    pair.cert,
    '-days',
    '1',
    '-extfile',
    extensions,
  ]);
  return pair;
}
