// The simulated camera's events service: pull-point subscriptions (ONVIF Core, Event handling) that
// report the cell motion detector. Each subscription is its own endpoint with a bounded queue; a
// PullMessages is held until a message arrives or its timeout passes. Timers run on the injected Clock.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import * as E from './event-replies.js';
import { EVENTS_PATH, SUBSCRIPTION_PREFIX } from './onvif-replies.js';
import { envelope, fault, sendSoap, text, type SoapRequest } from './soap.js';
import { parseDuration, parseTermination } from './xs-time.js';

export interface EventsServiceOptions {
  name: string;
  clock: Clock;
  /** The camera's own clock (the clock-skew fault moves it): times in replies and expiry go by it. */
  cameraNow: () => number;
  /** http://host:port of the camera. */
  base: () => string;
  logger: Logger;
}

/** Messages kept per subscription; older ones are dropped first, as a camera's buffer overflows. */
export const QUEUE_LIMIT = 100;
/** Pull points at once; a real camera has a handful, the hub needs one. */
export const MAX_SUBSCRIPTIONS = 64;
/** Used when a request gives no termination time; every PullMessages extends a relative one by this much. */
export const DEFAULT_TERMINATION_MS = 60_000;
const MAX_TERMINATION_MS = 24 * 3600_000;
/** Longest a PullMessages is held; longer Timeouts are shortened to this (ONVIF requires at least PT1M). */
export const MAX_PULL_TIMEOUT_MS = 5 * 60_000;

interface HeldPull {
  res: ServerResponse;
  limit: number;
  timer: TimerHandle;
}

interface Subscription {
  id: string;
  address: string;
  /** Camera clock, ms. */
  terminationAt: number;
  /** For a relative termination time, how far each PullMessages pushes it (ONVIF Core 9.x pull point). */
  keepAliveMs: number | null;
  queue: E.MotionEvent[];
  held: HeldPull | null;
  expiry: TimerHandle | null;
}

export class EventsService {
  private readonly subs = new Map<string, Subscription>();
  private motionOn = false;
  private motionOff: TimerHandle | null = null;

  constructor(private readonly opts: EventsServiceOptions) {}

  /** Whether the motion detector is active now. */
  get motion(): boolean {
    return this.motionOn;
  }

  get subscriptionCount(): number {
    return this.subs.size;
  }

  static handles(path: string): boolean {
    return path === EVENTS_PATH || path.startsWith(SUBSCRIPTION_PREFIX);
  }

  /** Motion now, and its end after durationMs; another trigger while active only moves the end. */
  triggerMotion(durationMs: number): void {
    if (!this.motionOn) {
      this.motionOn = true;
      this.publish(true, 'Changed');
    }
    this.motionOff?.cancel();
    this.motionOff = this.opts.clock.setTimeout(() => {
      this.motionOff = null;
      this.motionOn = false;
      this.publish(false, 'Changed');
    }, durationMs);
  }

  /** Answers a request to the events service or a subscription (already authenticated). */
  handle(path: string, soap: SoapRequest, res: ServerResponse): void {
    if (path === EVENTS_PATH) return this.service(soap, res);
    const sub = this.live(path.slice(SUBSCRIPTION_PREFIX.length));
    if (!sub) return this.unknown(path, res);
    switch (soap.action) {
      case 'PullMessages':
        return this.pull(sub, soap.params, res);
      case 'Renew':
        return this.renew(sub, soap.params, res);
      case 'Unsubscribe':
        this.drop(sub);
        return this.ok(res, E.unsubscribeResponse());
      case 'SetSynchronizationPoint':
        this.enqueue(sub, this.event(this.motionOn, 'Initialized'));
        return this.ok(res, E.synchronizationPointResponse());
      default:
        return this.notSupported(soap, res);
    }
  }

  /**
   * Forgets every subscription and the motion state, as a camera does when it stops or reboots. Held
   * pulls are answered (empty) first and this resolves once those answers are handed to the OS, so the
   * caller can then close the sockets without cutting them off.
   */
  async reset(): Promise<void> {
    this.motionOff?.cancel();
    this.motionOff = null;
    this.motionOn = false;
    const answered: Promise<void>[] = [];
    for (const sub of [...this.subs.values()]) {
      const res = sub.held?.res;
      if (res && !res.destroyed) answered.push(new Promise((resolve) => res.once('close', resolve).once('finish', resolve)));
      this.drop(sub, { Connection: 'close' });
    }
    await Promise.all(answered);
  }

  private service(soap: SoapRequest, res: ServerResponse): void {
    switch (soap.action) {
      case 'GetServiceCapabilities':
        return this.ok(res, E.eventServiceCapabilities(MAX_SUBSCRIPTIONS));
      case 'GetEventProperties':
        return this.ok(res, E.eventProperties());
      case 'CreatePullPointSubscription':
        return this.create(soap.params, res);
      default:
        return this.notSupported(soap, res);
    }
  }

  private create(params: Record<string, unknown>, res: ServerResponse): void {
    const now = this.opts.cameraNow();
    const given = text(params.InitialTerminationTime).trim();
    const term = given ? parseTermination(given) : { kind: 'relative' as const, ms: DEFAULT_TERMINATION_MS };
    const at = term && (term.kind === 'relative' ? now + term.ms : term.at);
    if (!term || at === null || at <= now) {
      return this.invalid(
        res,
        `InitialTerminationTime "${given}" is not a future xs:dateTime or a positive xs:duration`,
        'wsnt:UnacceptableInitialTerminationTimeFault',
      );
    }
    if (this.subs.size >= MAX_SUBSCRIPTIONS) {
      return sendSoap(
        res,
        500,
        fault(
          's:Receiver',
          'ter:Action',
          `this camera has ${MAX_SUBSCRIPTIONS} subscriptions already; unsubscribe or let some expire`,
          'wsnt:SubscribeCreationFailedFault',
        ),
      );
    }
    // Random ids, not a counter: after a restart an old subscription address must not name a new one.
    const id = randomBytes(8).toString('hex');
    const sub: Subscription = {
      id,
      address: `${this.opts.base()}${SUBSCRIPTION_PREFIX}${id}`,
      terminationAt: Math.min(at!, now + MAX_TERMINATION_MS),
      keepAliveMs: term.kind === 'relative' ? Math.min(term.ms, MAX_TERMINATION_MS) : null,
      queue: [],
      held: null,
      expiry: null,
    };
    this.subs.set(id, sub);
    this.scheduleExpiry(sub);
    // Property events start with the current state (ONVIF Core, Properties): motion or not, now.
    sub.queue.push(this.event(this.motionOn, 'Initialized'));
    this.opts.logger.debug({ camera: this.opts.name, subscription: id }, 'pull-point subscription created');
    this.ok(res, E.createPullPointResponse(sub.address, now, sub.terminationAt));
  }

  private pull(sub: Subscription, params: Record<string, unknown>, res: ServerResponse): void {
    const timeout = parseDuration(text(params.Timeout));
    if (timeout === null) return this.invalid(res, `Timeout "${text(params.Timeout)}" is not an xs:duration such as PT60S`);
    const limitText = text(params.MessageLimit).trim();
    const limit = limitText === '' ? QUEUE_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) return this.invalid(res, `MessageLimit "${limitText}" is not a positive integer`);
    this.keepAlive(sub);
    // One pull at a time per subscription: a newer one takes over and the older gets its (empty) answer.
    if (sub.held) this.answer(sub);
    if (sub.queue.length > 0 || timeout === 0) return this.reply(sub, res, limit);
    const timer = this.opts.clock.setTimeout(() => this.answer(sub), Math.min(timeout, MAX_PULL_TIMEOUT_MS));
    sub.held = { res, limit, timer };
    // The client gave up, or a dead fault cut the connection: forget the pull, keep the subscription.
    res.once('close', () => {
      if (sub.held?.res !== res) return;
      sub.held.timer.cancel();
      sub.held = null;
    });
  }

  private renew(sub: Subscription, params: Record<string, unknown>, res: ServerResponse): void {
    const now = this.opts.cameraNow();
    const given = text(params.TerminationTime).trim();
    const term = given ? parseTermination(given) : { kind: 'relative' as const, ms: sub.keepAliveMs ?? DEFAULT_TERMINATION_MS };
    const at = term && (term.kind === 'relative' ? now + term.ms : term.at);
    if (!term || at === null || at <= now) {
      return this.invalid(res, `TerminationTime "${given}" is not a future xs:dateTime or a positive xs:duration`, 'wsnt:UnacceptableTerminationTimeFault');
    }
    sub.terminationAt = Math.min(at!, now + MAX_TERMINATION_MS);
    if (term.kind === 'relative' && sub.keepAliveMs !== null) sub.keepAliveMs = Math.min(term.ms, MAX_TERMINATION_MS);
    this.scheduleExpiry(sub);
    this.ok(res, E.renewResponse(now, sub.terminationAt));
  }

  /** The subscription if it exists and has not expired on the camera's clock; an expired one is dropped. */
  private live(id: string): Subscription | null {
    const sub = this.subs.get(id);
    if (!sub) return null;
    if (sub.held || this.opts.cameraNow() < sub.terminationAt) return sub;
    this.drop(sub);
    return null;
  }

  private keepAlive(sub: Subscription): void {
    if (sub.keepAliveMs === null) return;
    sub.terminationAt = Math.max(sub.terminationAt, this.opts.cameraNow() + sub.keepAliveMs);
    this.scheduleExpiry(sub);
  }

  private scheduleExpiry(sub: Subscription): void {
    sub.expiry?.cancel();
    sub.expiry = this.opts.clock.setTimeout(
      () => {
        sub.expiry = null;
        // A held pull keeps it alive until answered; a clock-skew change may have moved "now" either way.
        if (sub.held || this.opts.cameraNow() < sub.terminationAt) this.scheduleExpiry(sub);
        else this.drop(sub);
      },
      Math.max(sub.terminationAt - this.opts.cameraNow(), 1_000),
    );
  }

  private drop(sub: Subscription, headers: Record<string, string> = {}): void {
    if (this.subs.get(sub.id) !== sub) return;
    this.subs.delete(sub.id);
    sub.expiry?.cancel();
    if (sub.held) this.answer(sub, headers);
    sub.queue.length = 0;
    this.opts.logger.debug({ camera: this.opts.name, subscription: sub.id }, 'pull-point subscription dropped');
  }

  private event(isMotion: boolean, operation: E.MotionEvent['operation']): E.MotionEvent {
    return { at: this.opts.cameraNow(), isMotion, operation };
  }

  // Only subscriptions that exist get the message; nobody subscribed, nothing is kept.
  private publish(isMotion: boolean, operation: E.MotionEvent['operation']): void {
    const e = this.event(isMotion, operation);
    for (const sub of this.subs.values()) this.enqueue(sub, e);
  }

  private enqueue(sub: Subscription, e: E.MotionEvent): void {
    sub.queue.push(e);
    if (sub.queue.length > QUEUE_LIMIT) sub.queue.splice(0, sub.queue.length - QUEUE_LIMIT);
    if (sub.held) this.answer(sub);
  }

  /** Ends the held pull with what is queued now (possibly nothing). */
  private answer(sub: Subscription, headers: Record<string, string> = {}): void {
    const held = sub.held;
    if (!held) return;
    sub.held = null;
    held.timer.cancel();
    if (this.subs.get(sub.id) === sub) this.keepAlive(sub);
    this.reply(sub, held.res, held.limit, headers);
  }

  private reply(sub: Subscription, res: ServerResponse, limit: number, headers: Record<string, string> = {}): void {
    // A connection cut before its 'close' event ran (the dead fault destroys sockets; the response
    // hears of it a tick later) must not swallow the messages.
    if (res.destroyed || !res.socket || res.socket.destroyed) return;
    const messages = sub.queue.splice(0, limit);
    const where = { address: sub.address, producer: this.opts.base() + EVENTS_PATH };
    sendSoap(res, 200, envelope(E.pullMessagesResponse(where, this.opts.cameraNow(), sub.terminationAt, messages)), headers);
  }

  private ok(res: ServerResponse, body: Record<string, unknown>): void {
    sendSoap(res, 200, envelope(body));
  }

  private invalid(res: ServerResponse, reason: string, subsubcode?: string): void {
    sendSoap(res, 400, fault('s:Sender', 'ter:InvalidArgVal', reason, subsubcode));
  }

  private notSupported(soap: SoapRequest, res: ServerResponse): void {
    sendSoap(res, 400, fault('s:Receiver', 'ter:ActionNotSupported', `${soap.action} is not supported`));
  }

  // A client seeing this knows to create a new subscription (WS-ResourceFramework ResourceUnknownFault).
  private unknown(path: string, res: ServerResponse): void {
    const why = `subscription ${path.slice(SUBSCRIPTION_PREFIX.length)} does not exist (expired, unsubscribed or the camera restarted); create a new one`;
    sendSoap(res, 400, fault('s:Sender', 'ter:InvalidArgVal', why, 'wsrf-rw:ResourceUnknownFault', E.resourceUnknownDetail(this.opts.cameraNow(), why)));
  }
}
