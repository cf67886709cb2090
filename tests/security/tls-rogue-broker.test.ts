// Issue 14, item 4: a box pins the hub's CA. A rogue broker on 127.0.0.1 speaking MQTT over TLS
// with a certificate of its own CA is refused in the handshake: a real loa-edge never sends its
// CONNECT (so never its secret), and logs why. The box is started with that rogue CA in Node's
// system store (NODE_EXTRA_CA_CERTS), as if the rogue had a certificate any browser trusts: only
// the pinned hub.caFile counts. The control case pins the rogue's CA and does log in, which shows
// the rogue broker would have taken the secret.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/daemon-fixtures.js';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { waitFor } from '../helpers/hub.js';
import { makeTestPki, runPki, type TestPki } from '../helpers/hub-tls.js';
import { makeTempDir } from '../helpers/tmp.js';

const ID = 'ban-pin';
const SECRET = 'the-box-secret-0815';
const tmp = makeTempDir('loa-sec-tls-rogue-');
let rogueCa: TestPki;
let rogue: TestBroker;
const logins: Array<{ user: string | undefined; password: string | undefined }> = [];
const edges: EdgeProcess[] = [];

beforeAll(async () => {
  rogueCa = await makeTestPki(tmp.path);
  rogue = await startBroker({
    tls: { cert: readFileSync(rogueCa.certFile), key: readFileSync(rogueCa.keyFile) },
    authenticate: (user, password) => {
      logins.push({ user, password });
      return true;
    },
  });
});

afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.stop()));
  logins.length = 0;
});

afterAll(async () => {
  await rogue.close();
  tmp.remove();
});

function boxAgainstRogue(caFile: string, dir: string): EdgeProcess {
  const edge = spawnEdge({
    dir: join(tmp.path, dir),
    clusterId: ID,
    secret: SECRET,
    mqttUrl: rogue.url,
    httpUrl: 'https://127.0.0.1:9/',
    caFile,
    // The system store trusts the rogue: pinning must not fall back to it.
    env: { NODE_EXTRA_CA_CERTS: rogueCa.caFile },
  });
  edges.push(edge);
  return edge;
}

describe('a box pins the hub CA', () => {
  it('refuses a broker whose certificate is not from hub.caFile: no CONNECT, no secret, and says why', async () => {
    const edge = boxAgainstRogue(runPki().caFile, 'pinned');
    const refusal = await waitFor(() => edge.logs().find((l) => typeof l.msg === 'string' && l.msg.includes('is not the hub')), {
      what: 'the box saying the server is not the hub',
      timeoutMs: 15_000,
    });
    expect(String(refusal.msg)).toContain('hub.caFile');
    expect(String(refusal.msg)).toContain('the secret was not sent');
    // It keeps retrying (the real hub may come back), and every attempt ends in the handshake.
    await waitFor(() => edge.logs().filter((l) => String(l.msg).includes('is not the hub')).length >= 2, {
      what: 'a second refused attempt',
      timeoutMs: 15_000,
    });
    expect(logins).toEqual([]);
    expect(edge.output()).not.toContain(SECRET);
  });

  it('(control) the same rogue broker gets the secret from a box that pins the rogue CA', async () => {
    boxAgainstRogue(rogueCa.caFile, 'control');
    await waitFor(() => logins.length > 0, { what: 'the rogue broker seeing a login', timeoutMs: 15_000 });
    expect(logins[0]).toEqual({ user: ID, password: SECRET });
  });
});
