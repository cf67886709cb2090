// The simulated cameras' events service: pull-point subscriptions reporting motion, driven by the
// `onvif` npm package (its direct calls and its own event loop) and by raw SOAP for held pulls,
// renewals, expiry (on a fake clock), restarts, wrong passwords and the dead fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startCameras, type CameraFarm } from '../firmware-sim/cameras/index.js';
import { parseDateTime, parseDuration } from '../firmware-sim/cameras/xs-time.js';
import { FakeClock } from './helpers/fake-clock.js';
import { camCall, connectCam, createSubscription, pullMessages, renewXml, soap, TEV, unsubscribeXml, until } from './helpers/sim-camera-soap.js';

const eventsUrl = (c: { host: string; port: number }) => `http://${c.host}:${c.port}/onvif/events_service`;
const isMotionOf = (m: any) => m.message.message.data.simpleItem.$.Value;

describe('events service with the onvif package', () => {
  let farm: CameraFarm;
  beforeAll(async () => {
    farm = await startCameras({ count: 2, port: 0, firstHost: '127.0.5.1', logger: silentLogger() });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('advertises the events service and declares the motion topic', async () => {
    const c = farm.cameras[0]!;
    const cam = await connectCam({ hostname: c.host, port: c.port });
    expect(cam.uri.events.href).toBe(eventsUrl(c));
    const caps = await camCall(cam, 'getCapabilities');
    expect(caps.events).toMatchObject({ XAddr: eventsUrl(c), WSPullPointSupport: true, WSSubscriptionPolicySupport: false });
    const props = await camCall(cam, 'getEventProperties');
    const motion = props.topicSet.ruleEngine.cellMotionDetector.motion;
    expect(motion.messageDescription.data.simpleItemDescription.$).toEqual({ Name: 'IsMotion', Type: 'xs:boolean' });
    expect(motion.messageDescription.source.simpleItemDescription.map((d: any) => d.$.Name)).toEqual([
      'VideoSourceConfigurationToken',
      'VideoAnalyticsConfigurationToken',
      'Rule',
    ]);
    expect(props.topicExpressionDialect).toContain('http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet');
    expect(await camCall(cam, 'getEventServiceCapabilities')).toMatchObject({ MaxPullPoints: 64 });
  });

  it('subscribes, holds a pull until motion, delivers true then false, renews and unsubscribes', async () => {
    const c = farm.cameras[0]!;
    const cam = await connectCam({ hostname: c.host, port: c.port });
    const sub = await camCall(cam, 'createPullPointSubscription');
    expect(sub.subscriptionReference.address.href).toMatch(new RegExp(`^http://${c.host}:${c.port}/onvif/subscription/[0-9a-f]+$`));
    expect(sub.terminationTime.getTime() - sub.currentTime.getTime()).toBe(120_000); // the package asks for PT2M

    const initial = await camCall(cam, 'pullMessages', {});
    expect(initial.notificationMessage.message.message.$.PropertyOperation).toBe('Initialized');
    expect(isMotionOf(initial.notificationMessage)).toBe(false);

    // The package's PullMessages asks for PT1M; motion 300 ms in must end it long before that.
    const t0 = performance.now();
    setTimeout(() => farm.triggerMotion(0, 400), 300);
    const on = await camCall(cam, 'pullMessages', {});
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(on.notificationMessage.topic._).toBe('tns1:RuleEngine/CellMotionDetector/Motion');
    expect(on.notificationMessage.topic.$.Dialect).toBe('http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet');
    expect(on.notificationMessage.message.message.$.PropertyOperation).toBe('Changed');
    expect(on.notificationMessage.message.message.source.simpleItem.map((i: any) => i.$.Name)).toContain('VideoSourceConfigurationToken');
    expect(isMotionOf(on.notificationMessage)).toBe(true);
    expect(c.motion).toBe(true);
    const off = await camCall(cam, 'pullMessages', {});
    expect(isMotionOf(off.notificationMessage)).toBe(false);
    expect(c.motion).toBe(false);

    await new Promise((r) => setTimeout(r, 50));
    const renewed = await camCall(cam, 'renew', {});
    expect(renewed.terminationTime.getTime()).toBeGreaterThan(sub.terminationTime.getTime());
    const address = sub.subscriptionReference.address.href;
    expect(c.subscriptionCount).toBe(1);
    await camCall(cam, 'unsubscribe');
    expect(c.subscriptionCount).toBe(0);
    const gone = await pullMessages(address, 'PT0S');
    expect(gone.status).toBe(400);
    expect(gone.xml).toContain('wsrf-rw:ResourceUnknownFault');
    expect(gone.xml).toContain('ter:InvalidArgVal');
  });

  it("the package's own event loop receives motion true then false, and resubscribes after a restart", async () => {
    const c = farm.cameras[1]!;
    const cam = await connectCam({ hostname: c.host, port: c.port });
    const seen: { op: string; isMotion: boolean }[] = [];
    const errors: Error[] = [];
    cam.on('eventsError', (e: Error) => errors.push(e));
    cam.on('event', (m: any) => seen.push({ op: m.message.message.$.PropertyOperation, isMotion: isMotionOf(m) }));
    try {
      await until('the initial state', () => seen.length === 1);
      expect(seen[0]).toEqual({ op: 'Initialized', isMotion: false });
      farm.triggerMotion(1, 300);
      await until('motion true and false', () => seen.length === 3);
      expect(seen.slice(1)).toEqual([
        { op: 'Changed', isMotion: true },
        { op: 'Changed', isMotion: false },
      ]);

      const port = c.port;
      await farm.restart(1);
      expect(c.port).toBe(port);
      // The old subscription is gone with the reboot; the loop notices (a fault) and subscribes again.
      await until('a new subscription', () => seen.length === 4 && c.subscriptionCount === 1);
      expect(errors.some((e) => /does not exist/.test(e.message))).toBe(true);
      farm.triggerMotion(1, 200);
      await until('motion after the restart', () => seen.length === 6);
      expect(seen.slice(3).map((s) => s.isMotion)).toEqual([false, true, false]);
    } finally {
      cam.removeAllListeners('event');
    }
  });

  it('refuses every events call without the right password', async () => {
    const c = farm.cameras[0]!;
    const wrong = { user: 'admin', password: 'wrong' };
    const create = `<CreatePullPointSubscription xmlns="${TEV}"/>`;
    for (const creds of [wrong, null]) {
      const r = await soap(eventsUrl(c), create, creds);
      expect(r.status).toBe(400);
      expect(r.xml).toContain('ter:NotAuthorized');
    }
    const sub = await createSubscription(eventsUrl(c));
    const pull = await pullMessages(sub.address, 'PT0S', 10, wrong);
    expect(pull.status).toBe(400);
    expect(pull.xml).toContain('ter:NotAuthorized');
    expect((await soap(sub.address, unsubscribeXml)).status).toBe(200);
  });

  it('a PT2S pull is held, ends empty at its timeout, and the dead fault cuts a held one at once', async () => {
    const c = farm.cameras[0]!;
    const sub = await createSubscription(eventsUrl(c), 'PT30S');
    expect((await pullMessages(sub.address, 'PT0S')).messages).toHaveLength(1); // the Initialized state
    const t0 = performance.now();
    const empty = await pullMessages(sub.address, 'PT1S');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(empty.status).toBe(200);
    expect(empty.messages).toEqual([]);

    const t1 = performance.now();
    const held = pullMessages(sub.address, 'PT2S');
    setTimeout(() => farm.setFaults(0, { dead: true }), 200);
    try {
      await expect(held).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(performance.now() - t1).toBeLessThan(1_500);
    } finally {
      farm.setFaults(0, { dead: false });
    }
    // The subscription outlives the outage (until it expires), so motion reaches it afterwards.
    farm.triggerMotion(0, 50);
    const after = await pullMessages(sub.address, 'PT2S');
    expect(after.messages.map((m) => m.isMotion)).toEqual(['true']);
    expect(after.messages[0]).toMatchObject({ operation: 'Changed', source: { VideoSourceConfigurationToken: 'vsc_1', Rule: 'MyMotionDetectorRule' } });
    await soap(sub.address, unsubscribeXml);
  });

  it('keeps at most 100 messages per subscription and none for subscriptions that do not exist', async () => {
    const c = farm.cameras[0]!;
    c.triggerMotion(60_000);
    const sub = await createSubscription(eventsUrl(c));
    // Motion began before the subscription: it gets only the current state, not the past change.
    const first = await pullMessages(sub.address, 'PT0S', 100);
    expect(first.messages.map((m) => [m.operation, m.isMotion])).toEqual([['Initialized', 'true']]);
    // The first ends the motion already on (false), the next 60 add true and false: 121 messages, of
    // which the camera keeps the newest 100.
    for (let i = 0; i < 61; i++) {
      c.triggerMotion(0);
      await new Promise((r) => setTimeout(r, 2));
      expect(c.motion).toBe(false);
    }
    const all = await pullMessages(sub.address, 'PT0S', 1000);
    expect(all.messages).toHaveLength(100);
    expect(all.messages.at(-1)!.isMotion).toBe('false');
    await soap(sub.address, unsubscribeXml);
  });
});

describe('subscription lifetime on the camera clock', () => {
  const start = Date.UTC(2026, 0, 5, 3, 0, 0);
  const clock = new FakeClock(start);
  let farm: CameraFarm;
  beforeAll(async () => {
    farm = await startCameras({ count: 1, port: 0, firstHost: '127.0.5.20', clock, logger: silentLogger() });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('expires, renews and times motion by the injected clock', async () => {
    const c = farm.cameras[0]!;
    const absolute = await createSubscription(eventsUrl(c), new Date(start + 30_000).toISOString());
    expect(absolute.currentTime).toBe(start);
    expect(absolute.terminationTime).toBe(start + 30_000);
    const relative = await createSubscription(eventsUrl(c), 'PT20S');

    const renewed = await soap(relative.address, renewXml('PT2M'));
    expect(Date.parse(renewed.body.RenewResponse.TerminationTime)).toBe(start + 120_000);
    await clock.advance(31_000);
    const expired = await pullMessages(absolute.address, 'PT0S');
    expect(expired.status).toBe(400);
    expect(expired.xml).toContain('ResourceUnknownFault');
    expect((await soap(absolute.address, renewXml('PT1M'))).status).toBe(400);
    expect(c.subscriptionCount).toBe(1);

    c.triggerMotion(5_000);
    await clock.advance(4_000);
    expect(c.motion).toBe(true);
    await clock.advance(1_000);
    const pulled = await pullMessages(relative.address, 'PT0S');
    expect(pulled.messages.map((m) => [m.operation, m.isMotion, Date.parse(m.utcTime) - start])).toEqual([
      ['Initialized', 'false', 0],
      ['Changed', 'true', 31_000],
      ['Changed', 'false', 36_000],
    ]);
    // A pull keeps a relative subscription alive for its 2 minutes more (ONVIF pull-point keep-alive).
    expect(pulled.terminationTime).toBe(start + 36_000 + 120_000);
    await clock.advance(119_000);
    expect((await pullMessages(relative.address, 'PT0S')).status).toBe(200);
    await clock.advance(121_000);
    expect(c.subscriptionCount).toBe(0);
  });

  it('rejects bad termination times and timeouts with ter:InvalidArgVal', async () => {
    const c = farm.cameras[0]!;
    const bad = await soap(
      eventsUrl(c),
      `<CreatePullPointSubscription xmlns="${TEV}"><InitialTerminationTime>soon</InitialTerminationTime></CreatePullPointSubscription>`,
    );
    expect(bad.status).toBe(400);
    expect(bad.xml).toContain('UnacceptableInitialTerminationTimeFault');
    const sub = await createSubscription(eventsUrl(c));
    const r = await pullMessages(sub.address, '60');
    expect(r.status).toBe(400);
    expect(r.xml).toContain('ter:InvalidArgVal');
  });
});

it('a stopping camera answers its held pulls instead of leaving them hanging', async () => {
  const farm = await startCameras({ count: 1, port: 0, firstHost: '127.0.5.30', logger: silentLogger() });
  const c = farm.cameras[0]!;
  const sub = await createSubscription(eventsUrl(c));
  await pullMessages(sub.address, 'PT0S');
  const held = pullMessages(sub.address, 'PT2S');
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  await farm.stop();
  const r = await held;
  expect(performance.now() - t0).toBeLessThan(1_000);
  expect(r.status).toBe(200);
  expect(r.messages).toEqual([]);
});

describe('xs:duration and xs:dateTime', () => {
  it('parses what ONVIF clients send', () => {
    expect(parseDuration('PT60S')).toBe(60_000);
    expect(parseDuration('PT1M30.5S')).toBe(90_500);
    expect(parseDuration('P1DT1H')).toBe(25 * 3600_000);
    expect(parseDuration('PT0S')).toBe(0);
    for (const bad of ['P', 'PT', '60', 'PT-5S', '-PT5S', 'PT5']) expect(parseDuration(bad)).toBeNull();
    expect(parseDateTime('2026-01-05T03:00:00Z')).toBe(Date.UTC(2026, 0, 5, 3));
    expect(parseDateTime('2026-01-05T10:00:00+07:00')).toBe(Date.UTC(2026, 0, 5, 3));
    expect(parseDateTime('2026-01-05T03:00:00')).toBe(Date.UTC(2026, 0, 5, 3));
    expect(parseDateTime('tomorrow')).toBeNull();
  });
});
