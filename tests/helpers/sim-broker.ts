// A real aedes broker for the simulator tests, standing in for the hub's embedded broker: each
// cluster logs in with its id and secret and may only use its own topics (protocol/topics.ts);
// the user "hub" may do anything. It can be restarted on the same port.
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Aedes, AuthenticateError, Client } from 'aedes';
import { deviceMayPublish, deviceMaySubscribe } from '../../protocol/index.js';

export const HUB_USER = 'hub';
export const HUB_PASSWORD = 'hub-test-secret';

export interface TestBroker {
  readonly url: string;
  readonly port: number;
  /** id → secret; tests may change it while the broker runs. */
  readonly credentials: Map<string, string>;
  /** Usernames that logged in successfully, and every refused login attempt. */
  readonly logins: string[];
  readonly refusals: string[];
  /** Publishes refused by the per-topic rules, as "user topic". */
  readonly deniedPublishes: string[];
  stop(): Promise<void>;
  /** Stops the broker (dropping every connection and retained message) and starts a fresh one on the same port. */
  restart(downMs?: number): Promise<void>;
}

export async function startTestBroker(credentials: Map<string, string>): Promise<TestBroker> {
  const users = new WeakMap<Client, string>();
  const logins: string[] = [];
  const refusals: string[] = [];
  const deniedPublishes: string[] = [];
  let aedes: Aedes;
  let server: Server;
  let port = 0;

  async function listen(): Promise<void> {
    const { Aedes } = await import('aedes');
    aedes = await Aedes.createBroker({
      authenticate(client, username, password, done) {
        const user = username ?? '';
        const ok = user === HUB_USER ? password?.toString() === HUB_PASSWORD : credentials.get(user) === password?.toString() && client.id === user;
        if (!ok) {
          refusals.push(user);
          const err = new Error('bad username or password') as AuthenticateError;
          err.returnCode = 4;
          return done(err, false);
        }
        users.set(client, user);
        logins.push(user);
        done(null, true);
      },
      authorizePublish(client, packet, done) {
        const user = client ? users.get(client) : HUB_USER;
        if (user === HUB_USER || (user && deviceMayPublish(user, packet.topic))) return done(null);
        deniedPublishes.push(`${user} ${packet.topic}`);
        done(new Error(`${user} may not publish on ${packet.topic}`));
      },
      authorizeSubscribe(client, sub, done) {
        const user = users.get(client);
        if (user === HUB_USER || (user && deviceMaySubscribe(user, sub.topic))) return done(null, sub);
        done(new Error(`${user} may not subscribe to ${sub.topic}`), null);
      },
    });
    server = createServer(aedes.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    running = true;
  }

  let running = false;
  async function close(): Promise<void> {
    if (!running) return;
    running = false;
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  await listen();
  return {
    get url() {
      return `mqtt://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    credentials,
    logins,
    refusals,
    deniedPublishes,
    stop: close,
    async restart(downMs = 200) {
      await close();
      await new Promise((r) => setTimeout(r, downMs));
      await listen();
    },
  };
}
