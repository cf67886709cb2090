// Issue 14, items 5 and 6: a hub busy checking secrets stored by an older hub answers CONNACK 3
// (server unavailable) instead of hashing. A real loa-edge must take that as "retry", not as a
// wrong secret: it logs that the hub is busy, and gets in once the hub lets it.
// A bare aedes stands in for the busy hub (the real hub's busy path: login-secret-store.test.ts).
import { Aedes, type AuthenticateError } from 'aedes';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEdge, type EdgeProcess } from '../helpers/edge-process.js';
import { waitFor } from '../helpers/hub.js';
import { makeTempDir } from '../helpers/tmp.js';

const tmp = makeTempDir('loa-sec-busy-');
let broker: Aedes;
let server: Server;
let url = '';
let attempts = 0;
let edge: EdgeProcess | null = null;

beforeAll(async () => {
  broker = await Aedes.createBroker({
    authenticate: (_client, _user, _pass, done) => {
      attempts += 1;
      if (attempts > 2) return done(null, true);
      const err = new Error('busy') as AuthenticateError;
      err.returnCode = 3;
      done(err, null);
    },
  });
  server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await edge?.stop();
  await new Promise<void>((r) => broker.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
  tmp.remove();
});

describe('loa-edge told the hub is busy', () => {
  it('says so, does not blame its secret, and gets in on a later attempt', async () => {
    let connected = false;
    broker.on('clientReady', () => (connected = true));
    edge = spawnEdge({ dir: join(tmp.path, 'box'), clusterId: 'busy-box', secret: 'a-secret', mqttUrl: url, httpUrl: 'http://127.0.0.1:9' });
    await waitFor(() => connected, { what: 'the box connected', timeoutMs: 20_000 });
    expect(attempts).toBeGreaterThanOrEqual(3);
    const msgs = edge.logs().map((l) => String(l.msg));
    expect(msgs.filter((m) => /hub is busy checking logins/.test(m))).toHaveLength(2);
    expect(msgs.some((m) => /check clusterId and secret/.test(m))).toBe(false);
  }, 30_000);
});
