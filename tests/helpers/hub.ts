// Starts a real hub for a test: embedded aedes broker and HTTP on 127.0.0.1 with free ports, a
// real SQLite file in a temp data dir, and a cheap scrypt cost so adding clusters is quick.
// With LOA_TEST_BROKER=mosquitto (the `mosquitto` vitest project) the hub runs in external broker
// mode against its own real Mosquitto instead, and addresses.mqtt* point there.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { silentLogger } from '../../common/logger.js';
import type { HubConfigInput } from '../../hub/config.js';
import { Hub, type HubAddresses } from '../../hub/hub.js';
import { runPki } from './hub-tls.js';
import { startMosquitto, type RunningMosquitto } from './mosquitto.js';
import { installTestHubKey } from './signing.js';
import { makeTempDir } from './tmp.js';

/** True in the `mosquitto` vitest project: hubs use an external Mosquitto (see vitest.config.ts). */
export const externalBroker = process.env.LOA_TEST_BROKER === 'mosquitto';

export interface TestHub {
  hub: Hub;
  addresses: HubAddresses;
  /** The hub's own Mosquitto when LOA_TEST_BROKER=mosquitto, else null. */
  mosquitto: RunningMosquitto | null;
  dataDir: string;
  token: string;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    opts?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  addCluster(id: string, extra?: { name?: string; village?: string }): Promise<{ id: string; secret: string }>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** TLS on, as in production: MQTT over TLS and HTTPS with the run's test CA (tests/helpers/global-tls.ts). */
export function testHubConfig(dataDir: string, over: Partial<HubConfigInput> = {}): HubConfigInput {
  const pki = runPki();
  return {
    dataDir,
    log: { level: 'silent' },
    ...over,
    tls: over.tls ?? { cert: pki.certFile, key: pki.keyFile, ca: pki.caFile },
    mqtt: { host: '127.0.0.1', port: 0, tls: { port: 0 }, auth: { scryptCost: 1024, failureDelayMs: 50, failureDelayMaxMs: 400 }, ...over.mqtt },
    http: { host: '127.0.0.1', port: 0, ...over.http },
    dispatch: { leadMs: 1000, ...over.dispatch },
  };
}

export async function startTestHub(
  opts: { dataDir?: string; config?: Partial<HubConfigInput>; clock?: Clock; logger?: ReturnType<typeof silentLogger> } = {},
): Promise<TestHub> {
  const tmp = opts.dataDir ? null : makeTempDir('loa-hub-');
  const dataDir = opts.dataDir ?? tmp!.path;
  let config = testHubConfig(dataDir, opts.config);
  // The hub signs with the key the test boxes trust (helpers/signing.ts).
  installTestHubKey(dataDir);
  let mosquitto: RunningMosquitto | null = null;
  if (externalBroker) {
    const hubPassword = randomBytes(12).toString('base64url');
    // Mosquitto serves the boxes over TLS with the hub's certificate, as docs/external-broker.md sets it up.
    // (On the port asked for in mqtt.tls.port, so boxes find it again after a restart.)
    const tls =
      config.tls?.cert && config.tls.key ? { cert: config.tls.cert, key: config.tls.key, ca: config.tls.ca, port: config.mqtt?.tls?.port } : undefined;
    mosquitto = await startMosquitto({
      ...(config.mqtt?.port ? { port: config.mqtt.port } : {}),
      ...(config.mqtt?.maxPacketBytes ? { maxPacketBytes: config.mqtt.maxPacketBytes } : {}),
      ...(config.mqtt?.keepaliveLimitSec ? { maxKeepaliveSec: config.mqtt.keepaliveLimitSec } : {}),
      ...(tls ? { tls } : {}),
      hubUser: 'loa-hub',
      hubPassword,
    });
    config = {
      ...config,
      broker: {
        mode: 'external',
        url: mosquitto.tlsPort ? `mqtts://127.0.0.1:${mosquitto.tlsPort}` : mosquitto.url,
        ...(tls?.ca ? { ca: tls.ca } : {}),
        username: 'loa-hub',
        password: hubPassword,
        mosquitto: { passwordFile: mosquitto.passwordFile, aclFile: mosquitto.aclFile, reload: { pidFile: mosquitto.pidFile } },
        ...config.broker,
      },
    };
  }
  const hub = new Hub({ config, logger: opts.logger ?? silentLogger(), ...(opts.clock ? { clock: opts.clock, cron: false } : {}) });
  let addresses: HubAddresses;
  try {
    addresses = await hub.start();
  } catch (err) {
    await mosquitto?.stop();
    throw err;
  }
  if (mosquitto)
    addresses = {
      ...addresses,
      mqttPort: mosquitto.port,
      mqttsPort: mosquitto.tlsPort,
      mqttUrl: mosquitto.tlsPort ? `mqtts://127.0.0.1:${mosquitto.tlsPort}` : mosquitto.url,
    };
  const token = hub.operatorToken();
  const api: TestHub['api'] = async (method, path, body, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const tk = o.token === undefined ? token : o.token;
    if (tk) headers.authorization = `Bearer ${tk}`;
    let payload: BodyInit | undefined;
    if (body instanceof Uint8Array) {
      payload = body;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${addresses.httpUrl}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (metrics, ndjson): the raw text
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };
  return {
    hub,
    addresses,
    mosquitto,
    dataDir,
    token,
    api,
    async addCluster(id, extra = {}) {
      const r = await api<{ cluster: { id: string }; secret: string }>('POST', '/api/v1/clusters', { id, ...extra });
      if (r.status !== 201) throw new Error(`adding cluster ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      return { id, secret: r.body.secret };
    },
    async stop(o = {}) {
      await hub.stop();
      await mosquitto?.stop();
      if (!o.keepData) tmp?.remove();
    },
  };
}

/** Polls until fn returns a truthy value or the time is up. */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
