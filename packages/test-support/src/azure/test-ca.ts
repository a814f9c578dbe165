import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A certificate authority made for one test run, and a server certificate it signed for 127.0.0.1. */
export interface TestCertificates {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Generates a throwaway CA and a loopback server certificate with openssl (P-256 keys, valid one
 * day): the Azure SDK sends bearer tokens over https only, so the ARM stand-in needs TLS that the
 * client trusts through its agent, and nothing is trusted beyond this test.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'kdap-test-ca-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'));
    openssl('req', '-x509', '-new', '-key', f('ca.key'), '-sha256', '-days', '1', '-subj', '/CN=KDAP test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', f('ca.crt'));
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('server.key'));
    openssl('req', '-new', '-key', f('server.key'), '-subj', '/CN=127.0.0.1', '-out', f('server.csr'));
    writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-sha256', '-extfile', f('server.ext'), '-out', f('server.crt'));
    return { ca: readFileSync(f('ca.crt'), 'utf8'), cert: readFileSync(f('server.crt'), 'utf8'), key: readFileSync(f('server.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
