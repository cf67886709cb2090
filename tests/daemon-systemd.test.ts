// systemd Type=notify with a watchdog: the real `loa-edge` child, with NOTIFY_SOCKET pointing at a
// datagram socket this test listens on, sends READY=1, then WATCHDOG=1 every WATCHDOG_USEC/2, and
// STOPPING=1 on SIGTERM, through the real systemd-notify. The watchdog is not fed while the daemon
// is unhealthy. Needs systemd-notify (Debian package `systemd`) and python3; runs dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../common/clock.js';
import { silentLogger } from '../common/logger.js';
import { LinkWatch, SystemdNotifier, type Liveness } from '../daemon/systemd.js';
import { startBroker, Watcher, type TestBroker } from './helpers/daemon-fixtures.js';
import { startNotifyListener, systemdNotifyPath, type NotifyListener } from './helpers/daemon-notify-listener.js';
import { FakeClock } from './helpers/fake-clock.js';
import { makeTempDir } from './helpers/tmp.js';
import { TEST_HUB_KEY } from './helpers/signing.js';

const BIN = resolve('bin/loa-edge.js');
const tmp = makeTempDir('loa-daemon-systemd-');
let broker: TestBroker;
let watcher: Watcher;
const children: ChildProcess[] = [];
const listeners: NotifyListener[] = [];

beforeAll(async () => {
  if (!existsSync(resolve('dist/daemon/main.js'))) throw new Error('dist/daemon/main.js is missing: run `npx tsc -p .` first');
  if (!systemdNotifyPath()) throw new Error('systemd-notify is missing: `apt-get install systemd` (it is what loa-edge uses under systemd)');
  broker = await startBroker();
  watcher = await Watcher.connect(broker.url);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const l of listeners) l.close();
  await watcher.close();
  await broker.close();
  tmp.remove();
});

async function waitFor<T>(what: string, pick: () => T | undefined | null | false, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = pick();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('loa-edge under systemd (Type=notify, WatchdogSec)', () => {
  it('the real daemon sends READY=1, feeds the watchdog every half period, and STOPPING=1 on SIGTERM', async () => {
    const listener = await startNotifyListener(tmp.path);
    listeners.push(listener);
    const config = join(tmp.path, 'edge.yaml');
    writeFileSync(
      config,
      [
        'clusterId: notify-edge',
        'secret: s3cret',
        `hubKeys: ["${TEST_HUB_KEY}"]`,
        'hub:',
        `  mqttUrl: ${broker.url}`,
        `  httpUrl: ${broker.url.replace('mqtt:', 'http:')}`,
        '  allowPlaintext: true',
        'dataDir: data',
        'sink:',
        '  type: "null"',
        'log:',
        '  level: warn',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [BIN, '--config', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '1000000' },
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));

    const ready = await waitFor('READY=1', () => listener.messages.find((m) => m.split('|').includes('READY=1')));
    expect(ready).toContain('STATUS=running for cluster notify-edge');
    const t0 = Date.now();
    await waitFor('three WATCHDOG=1', () => listener.messages.filter((m) => m === 'WATCHDOG=1').length >= 3);
    // Every 0.5 s (half of WATCHDOG_USEC), the first right after READY.
    expect(Date.now() - t0).toBeGreaterThan(800);
    expect(Date.now() - t0).toBeLessThan(2500);
    // READY comes first: systemd must not see a watchdog ping from a service still starting.
    expect(listener.messages.indexOf('WATCHDOG=1')).toBeGreaterThan(listener.messages.indexOf(ready));

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(listener.messages).toContain('STOPPING=1');
    expect(stderr).toBe('');
  });

  it('does not feed the watchdog while the health check fails, and resumes when it passes', async () => {
    const listener = await startNotifyListener(tmp.path);
    listeners.push(listener);
    let live: Liveness = { ok: false, why: 'the MQTT link is wedged (test)' };
    const n = new SystemdNotifier({ logger: silentLogger(), clock: systemClock, env: { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '200000' } });
    expect(n.feedEveryMs).toBe(100);
    n.startWatchdog(() => live);
    try {
      await new Promise((r) => setTimeout(r, 600));
      expect(listener.messages).toEqual([]);
      live = { ok: true };
      await waitFor('WATCHDOG=1', () => listener.messages.includes('WATCHDOG=1'));
    } finally {
      n.stopWatchdog();
    }
  });

  it('is a no-op without NOTIFY_SOCKET, and ignores a watchdog meant for another PID', async () => {
    const none = new SystemdNotifier({ logger: silentLogger(), clock: systemClock, env: {} });
    expect(none.enabled).toBe(false);
    expect(none.feedEveryMs).toBeNull();
    await none.ready('x');
    const other = new SystemdNotifier({
      logger: silentLogger(),
      clock: systemClock,
      env: { NOTIFY_SOCKET: '/nowhere', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' },
      pid: 4242,
    });
    expect(other.feedEveryMs).toBeNull();
  });

  it('LinkWatch: connected or trying is healthy; silent longer than a reconnect attempt can take is not', async () => {
    const clock = new FakeClock(1_000_000);
    const { EventEmitter } = await import('node:events');
    const link = Object.assign(new EventEmitter(), { connected: false });
    const watch = new LinkWatch(link as never, clock, 60_000);
    await clock.advance(59_000, 0);
    expect(watch.check()).toEqual({ ok: true });
    link.emit('disconnected');
    await clock.advance(59_000, 0);
    expect(watch.check()).toEqual({ ok: true });
    await clock.advance(2_000, 0);
    const stuck = watch.check();
    expect(stuck.ok).toBe(false);
    expect(stuck.ok === false && stuck.why).toMatch(/down without a reconnect attempt for 61 s/);
    // Connected: fine however long since the last event.
    link.connected = true;
    expect(watch.check()).toEqual({ ok: true });
  });
});
