// vitest globalSetup: one test CA and a server certificate for 127.0.0.1/localhost, made once per
// run, so every test hub serves MQTT over TLS and HTTPS without running openssl itself (the
// hub's own first-start CA has its tests in tests/security/hub-tls-first-start.test.ts).
// NODE_EXTRA_CA_CERTS makes the workers' fetch and MQTT.js trust it as a browser with the CA
// installed would; a box (loa-edge, the simulator) is still given the CA explicitly and pins it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki } from './hub-tls.js';

export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'loa-test-pki-'));
  const pki = await makeTestPki(dir, { days: 30 });
  process.env.LOA_TEST_PKI_DIR = dir;
  process.env.NODE_EXTRA_CA_CERTS = pki.caFile;
  return () => rmSync(dir, { recursive: true, force: true });
}
