// loa-edge gets back to the hub by itself: after the broker goes away and comes back on the same
// port, and after the broker first refuses its credentials (MQTT.js alone would give up there).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../daemon/backoff.js';
import { startEdge, type EdgeUnderTest } from './helpers/daemon-edge.js';
import { cmd, makeOpusMedia, startBroker, startMediaServer, Watcher, type TestBroker } from './helpers/daemon-fixtures.js';
import { makeTempDir } from './helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function onlineCount(w: Watcher, clusterId: string): number {
  return w.of(clusterId, 'presence').filter((p) => p.status === 'online').length;
}

async function setup(brokerOpts: Parameters<typeof startBroker>[0] = {}) {
  const tmp = makeTempDir('loa-daemon-reconnect-');
  cleanups.push(() => tmp.remove());
  let broker: TestBroker = await startBroker(brokerOpts);
  cleanups.push(() => broker.close());
  return {
    tmp,
    get broker() {
      return broker;
    },
    async restartBroker(opts: Parameters<typeof startBroker>[0] = {}) {
      await broker.close();
      broker = await startBroker({ ...opts, port: broker.port });
    },
  };
}

async function edge(clusterId: string, mqttUrl: string, dataDir: string, httpUrl = 'http://127.0.0.1:9'): Promise<EdgeUnderTest> {
  const e = await startEdge({ clusterId, mqttUrl, httpUrl, dataDir });
  cleanups.push(() => e.stop());
  return e;
}

describe('loa-edge reconnects', () => {
  it('says it is online before it reports its state, so the hub reads the state that follows for what the box has seen', async () => {
    const s = await setup();
    const w = await Watcher.connect(s.broker.url);
    cleanups.push(() => w.close());
    await edge('rc-order', s.broker.url, join(s.tmp.path, 'data'));
    await w.waitFor('state', () => w.of('rc-order', 'state').length > 0);
    const mine = w.seen.filter((x) => x.clusterId === 'rc-order' && (x.channel === 'presence' || x.channel === 'state'));
    const online = mine.findIndex((x) => x.channel === 'presence' && x.payload.status === 'online');
    expect(online).toBeGreaterThanOrEqual(0);
    expect(mine.findIndex((x) => x.channel === 'state')).toBeGreaterThan(online);
    expect(mine.every((x) => !x.retain)).toBe(true); // seen live, in the order published
  });

  it('reconnects to a broker restarted on the same port and announces itself again', async () => {
    const s = await setup();
    const e = await edge('rc-restart', s.broker.url, join(s.tmp.path, 'data'));
    const w1 = await Watcher.connect(s.broker.url);
    await w1.waitFor('online', () => onlineCount(w1, 'rc-restart') === 1);
    await w1.close();

    await s.restartBroker();
    const w2 = await Watcher.connect(s.broker.url);
    cleanups.push(() => w2.close());
    // Presence is retained; a new broker has none until the daemon republishes it.
    const presence = await w2.waitFor('online again', () => w2.of('rc-restart', 'presence').find((p) => p.status === 'online'));
    expect(presence.agent).toMatch(/^loa-edge\//);
    expect(e.logs.some((l) => l.msg === 'disconnected from the hub; reconnecting later')).toBe(true);
    // And it took its command subscription along.
    const vol = cmd.volume(1, 33);
    await w2.send('rc-restart', vol);
    await w2.waitAck('rc-restart', vol.id, 'finished');
  });

  it('keeps retrying after the broker refuses its credentials, and gets in once they are accepted', async () => {
    let accept = false;
    const attempts: { user?: string; password?: string }[] = [];
    const s = await setup({
      authenticate: (user, password) => {
        if (user !== 'hub') attempts.push({ user, password });
        return user === 'hub' || accept;
      },
    });
    const w = await Watcher.connect(s.broker.url);
    cleanups.push(() => w.close());
    const e = await edge('rc-refused', s.broker.url, join(s.tmp.path, 'data'));
    await w.waitFor('three refused attempts', () => attempts.length >= 3);
    expect(onlineCount(w, 'rc-refused')).toBe(0);
    expect(attempts[0]).toEqual({ user: 'rc-refused', password: 'sesame' });
    expect(e.logs.some((l) => String(l.msg).includes('refused the connection'))).toBe(true);

    accept = true;
    await w.waitFor('online after refusals', () => onlineCount(w, 'rc-refused') === 1);
  });

  it('keeps acknowledgements made while offline and delivers them after reconnecting', async () => {
    const s = await setup();
    const media = await startMediaServer({ user: 'rc-outbox', password: 'sesame' });
    cleanups.push(() => media.close());
    const tone = makeOpusMedia(s.tmp.path, 1);
    media.routes.set(tone.ref.url, tone.body);
    const e = await edge('rc-outbox', s.broker.url, join(s.tmp.path, 'data'), media.url);
    const w1 = await Watcher.connect(s.broker.url);
    await w1.waitFor('state', () => w1.of('rc-outbox', 'state').length > 0);
    const play = cmd.play(1, tone.ref, { startInMs: 50 });
    await w1.send('rc-outbox', play);
    await w1.waitAck('rc-outbox', play.id, 'started');
    await w1.close();

    // The hub is away while the item ends: the finished ack has nowhere to go yet.
    await s.broker.close();
    await w1.waitFor('playback finished offline', () => e.logs.some((l) => l.msg === 'playback finished'), 5000);
    await s.restartBroker();
    const w2 = await Watcher.connect(s.broker.url);
    cleanups.push(() => w2.close());
    const finished = await w2.waitAck('rc-outbox', play.id, 'finished');
    expect(finished.positionMs).toBe(tone.ref.durationMs);
  });

  it('stops promptly while the hub is unreachable', async () => {
    const tmp = makeTempDir('loa-daemon-away-');
    cleanups.push(() => tmp.remove());
    // A port that was just free: nobody listens there now.
    const gone = await startBroker();
    await gone.close();
    const e = await startEdge({ clusterId: 'rc-away', mqttUrl: gone.url, httpUrl: 'http://127.0.0.1:9', dataDir: join(tmp.path, 'away') });
    const retries = () => e.logs.filter((l) => l.msg === 'disconnected from the hub; reconnecting later').length;
    const until = Date.now() + 5000;
    while (retries() < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(retries()).toBeGreaterThanOrEqual(2);
    const t0 = Date.now();
    await e.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('spreads retries with full jitter between minMs and min(maxMs, minMs·2^n)', () => {
    const low = new Backoff({ minMs: 1000, maxMs: 5000, random: () => 0 });
    const high = new Backoff({ minMs: 1000, maxMs: 5000, random: () => 0.999999 });
    const lows = [1, 2, 3, 4].map(() => low.next());
    const highs = [1, 2, 3, 4].map(() => high.next());
    expect(lows).toEqual([1000, 1000, 1000, 1000]);
    expect(highs).toEqual([2000, 4000, 5000, 5000]);
    high.reset();
    expect(high.next()).toBe(2000);
  });
});
