// Talking to one ONVIF camera through the `onvif` package: every call settles once, within a hard
// timeout on the hub's clock, over an http.Agent this session owns (so stopping destroys its
// sockets, held PullMessages included) and with replies bounded in size. Failures become a
// CameraCallError whose kind maps to a status (offline, unauthorised, bad reply).
import { Agent, type AgentOptions, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import onvif from 'onvif';
import type { Clock } from '../../common/clock.js';
import { english, reason, type Reason, type ReasonCode } from '../../common/i18n/reasons.js';
import type { CameraConnection } from '../store/cameras.js';
import { ONVIF_MAX_REPLY_BYTES, parseFault } from './replies.js';
import { ONVIF_XML_LIMITS, XmlShapeScanner } from './xml-shape.js';

export type FailureKind = 'offline' | 'unauthorised' | 'bad-reply';

export class CameraCallError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** Coded (common/i18n/reasons.ts): camera.timeout, camera.refused, camera.unauthorised, camera.bad-reply, … */
    readonly reason: Reason,
  ) {
    super(english(reason));
    this.name = 'CameraCallError';
  }
}

/** Network errors that mean "no answer", and how each reads (ETIMEDOUT is a timeout, below). */
const NETWORK_CODES: Record<string, ReasonCode> = {
  ECONNREFUSED: 'camera.refused',
  ECONNRESET: 'camera.reset',
  EHOSTUNREACH: 'camera.unreachable',
  ENETUNREACH: 'camera.unreachable',
  EHOSTDOWN: 'camera.unreachable',
  EADDRNOTAVAIL: 'camera.unreachable',
  ENOTFOUND: 'camera.unknown-host',
  EAI_AGAIN: 'camera.unknown-host',
  EPIPE: 'camera.dropped',
  ECONNABORTED: 'camera.dropped',
};

export const timeoutReason = (ms: number): Reason => reason('camera.timeout', { ms });
const offline = (code: ReasonCode, params = {}): CameraCallError => new CameraCallError('offline', reason(code, params));
const badReply = (action: string, detail: string): CameraCallError => new CameraCallError('bad-reply', reason('camera.bad-reply', { action, detail }));
const unauthorised = (via: string): CameraCallError => new CameraCallError('unauthorised', reason('camera.unauthorised', { via }));
const AUTH_TEXT = /notauthori[sz]ed|not authori[sz]ed|unauthori[sz]ed|authentication failed|sender not authorized/i;

/** Cuts camera-supplied text to something a log line and a table can hold. */
export function clip(s: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in untrusted text is the point
  const flat = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Maps whatever a call failed with to a kind and a short reason. */
export function classify(e: unknown, action: string, timeoutMs: number, xml?: string): CameraCallError {
  if (e instanceof CameraCallError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT' || message === 'Network timeout') return new CameraCallError('offline', timeoutReason(timeoutMs));
  if (code && Object.hasOwn(NETWORK_CODES, code)) return offline(NETWORK_CODES[code]!, { error: code });
  if (message === 'socket hang up') return offline('camera.reset', { error: 'ECONNRESET' });
  if (/Digest authentication failed|\b401\b/.test(message)) return unauthorised('HTTP 401');
  // The fault as the camera wrote it, read by us: the package's summary of it is often just "{}".
  const fault = typeof xml === 'string' && xml.length > 0 ? parseFault(xml) : null;
  if (fault) {
    if (/NotAuthori[sz]ed/i.test(fault.code) || AUTH_TEXT.test(fault.reason)) return unauthorised('ter:NotAuthorized');
    return new CameraCallError('bad-reply', reason('camera.fault', { action, fault: clip([fault.code, fault.reason].filter(Boolean).join(': '), 110) }));
  }
  if (AUTH_TEXT.test(message)) return unauthorised('ter:NotAuthorized');
  return badReply(action, clip(message.replace(/^ONVIF SOAP Fault: /, 'fault '), 100));
}

/**
 * An http.Agent that counts what each socket receives per reply and cuts it off past a limit: the
 * onvif package buffers whole replies, so without this a camera could make the hub hold any amount.
 * Keep-alive saves a connection per request within one check; the owner drops idle sockets after
 * it (a camera closing an idle socket just as it is reused would look like a reset).
 */
class BoundedAgent extends Agent {
  oversize = false;
  /** A reply's XML passed a shape limit (xml-shape.ts) and was cut off before the package parsed it. */
  tooComplex = false;
  private readonly received = new WeakMap<Socket, number>();

  constructor(
    private readonly maxBytes: number,
    opts: AgentOptions,
  ) {
    super(opts);
    type Create = (o: unknown, cb?: unknown) => Socket;
    const self = this as unknown as { createConnection: Create };
    const base = self.createConnection.bind(this);
    self.createConnection = (o, cb) => {
      const socket = base(o, cb);
      socket.on('data', (chunk: Buffer) => {
        const n = (this.received.get(socket) ?? 0) + chunk.length;
        this.received.set(socket, n);
        if (n > this.maxBytes) {
          this.oversize = true;
          socket.destroy(new Error('reply too large'));
        }
      });
      return socket;
    };
    // A socket back in the pool has delivered its reply: the next one counts from zero.
    this.on('free', (socket: Socket) => this.received.set(socket, 0));
    // Every request the package makes goes through here: its reply body (de-chunked) is scanned
    // as it arrives, and cut off once too deep or too many elements, before the package's xml2js
    // can spend seconds on it. Destroying the socket with an error fails the call at once.
    type AddRequest = (req: ClientRequest, o: unknown) => void;
    const agent = this as unknown as { addRequest: AddRequest };
    const addRequest = agent.addRequest.bind(this);
    agent.addRequest = (req, o) => {
      req.prependOnceListener('response', (res: IncomingMessage) => {
        const scanner = new XmlShapeScanner(ONVIF_XML_LIMITS);
        res.prependListener('data', (chunk: Buffer) => {
          if (scanner.feed(chunk)) return;
          this.tooComplex = true;
          res.socket?.destroy(new Error('reply too complex'));
        });
      });
      addRequest(req, o);
    };
  }
}

export interface SessionOptions {
  clock: Clock;
  timeoutMs: number;
  maxReplyBytes?: number;
}

type Callback = (err: Error | null, data?: unknown, xml?: string) => void;

/** One camera, one onvif.Cam, one agent. Calls are made one at a time by its owner. */
export class OnvifSession {
  readonly cam: InstanceType<typeof onvif.Cam>;
  private readonly agent: BoundedAgent;
  private closed = false;
  /** Calls under way, so close() can end them even if the package never calls back. */
  private readonly pending = new Set<(e: CameraCallError) => void>();

  constructor(
    readonly target: CameraConnection,
    private readonly opts: SessionOptions,
  ) {
    this.agent = new BoundedAgent(opts.maxReplyBytes ?? ONVIF_MAX_REPLY_BYTES, { keepAlive: true, maxSockets: 4 });
    this.cam = new onvif.Cam({
      hostname: target.host,
      port: target.port,
      path: target.path,
      username: target.user,
      password: target.password,
      timeout: opts.timeoutMs,
      autoconnect: false,
      // Service addresses the camera announces are rewritten to the configured host and port: the
      // hub talks only to the address it was given (NAT'd cameras announce their inside address).
      preserveAddress: true,
      agent: this.agent,
    });
  }

  /**
   * Runs one onvif call. Settles once (the package can call back twice when a reply makes its
   * parser throw), turns synchronous throws into failures, and gives up after `timeoutMs` of the
   * hub's clock, cutting the request's socket. `timeoutMs` may be longer for a held PullMessages.
   */
  call<T>(action: string, start: (cb: Callback) => void, timeoutMs = this.opts.timeoutMs): Promise<{ data: T; xml: string }> {
    if (this.closed) return Promise.reject(offline('camera.stopped'));
    return new Promise((resolve, reject) => {
      let done = false;
      this.agent.oversize = false;
      this.agent.tooComplex = false;
      const abort = (e: CameraCallError): void => {
        if (done) return;
        done = true;
        timer.cancel();
        this.pending.delete(abort);
        reject(e);
      };
      const timer = this.opts.clock.setTimeout(() => {
        abort(new CameraCallError('offline', timeoutReason(timeoutMs)));
        this.agent.destroy();
      }, timeoutMs);
      this.pending.add(abort);
      const cb: Callback = (err, data, xml) => {
        if (done) return;
        done = true;
        timer.cancel();
        this.pending.delete(abort);
        if (this.closed) reject(offline('camera.stopped'));
        else if (this.agent.oversize) reject(new CameraCallError('bad-reply', reason('camera.reply-too-large', { action, bytes: ONVIF_MAX_REPLY_BYTES })));
        else if (this.agent.tooComplex) {
          const { maxDepth: depth, maxElements: elements } = ONVIF_XML_LIMITS;
          reject(new CameraCallError('bad-reply', reason('camera.reply-too-complex', { action, depth, elements })));
        } else if (err) reject(classify(err, action, this.opts.timeoutMs, typeof xml === 'string' ? xml : undefined));
        else resolve({ data: data as T, xml: typeof xml === 'string' ? xml : '' });
      };
      try {
        start(cb);
      } catch (e) {
        cb(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Drops idle kept-alive sockets (after a check; the next one is seconds away). */
  idle(): void {
    if (this.pending.size === 0) this.agent.destroy();
  }

  /** Learns the camera's service addresses (into `cam.uri`): GetServices, or GetCapabilities on an
   *  older camera that has only that (the package does the same fallback in connect()). */
  async readServices(): Promise<void> {
    try {
      await this.call('GetServices', (cb) => this.cam.getServices(true, cb));
    } catch (e) {
      if ((e as CameraCallError).kind !== 'bad-reply') throw e;
      await this.call('GetCapabilities', (cb) => this.cam.getCapabilities(cb));
    }
  }

  /** Ends the session: in-flight calls fail at once with "stopped" and their sockets are destroyed. */
  close(): void {
    this.closed = true;
    for (const abort of [...this.pending]) abort(offline('camera.stopped'));
    this.agent.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
