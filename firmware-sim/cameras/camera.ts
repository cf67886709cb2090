// One simulated ONVIF Profile S camera: an HTTP server on its own loopback address answering the
// device, media and events services over SOAP 1.2 with WS-Security, a Digest-protected JPEG snapshot,
// motion on demand, restarts, and faults switched on at will (dead, slow, wrong clock, wrong password).
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { DigestAuth } from './digest-auth.js';
import { bindProbeResponder, parseProbe, stableEndpoint, probeMatch, WSD_PORT, type DiscoveryFacts } from './discovery.js';
import { EventsService } from './events-service.js';
import * as R from './onvif-replies.js';
import { envelope, fault, parseSoap, SOAP_TYPE, tokenMatches, type SoapRequest } from './soap.js';

export interface CameraFaults {
  /** Accepts connections and closes them without a reply. */
  dead: boolean;
  /** Delay before every answer, ms. */
  slowMs: number;
  /** How far the camera's clock is off (GetSystemDateAndTime), ms. */
  clockSkewMs: number;
  /** The camera's password is not the one it was configured with. */
  wrongPassword: boolean;
}

export interface SimCameraOptions {
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  user: string;
  password: string;
  jpeg: Buffer;
  clock: Clock;
  logger: Logger;
  /** Port GetStreamUri names; default 554 (where nothing listens unless the farm has video). */
  rtspPort?: number;
  /** Village shown as the WS-Discovery location scope. */
  village?: string;
  /** UDP port answering WS-Discovery probes on this camera's address; default 3702, 0 a free one, null none. */
  discoveryPort?: number | null;
}

/** How long motion lasts when triggerMotion is given no duration. */
export const DEFAULT_MOTION_MS = 5_000;
const MAX_BODY = 256 * 1024;
// Actions a client may call before it knows the camera's clock (ONVIF Core 5.12.1).
const UNAUTHENTICATED = new Set(['GetSystemDateAndTime']);

export class SimCamera {
  readonly name: string;
  readonly host: string;
  readonly faults: CameraFaults = { dead: false, slowMs: 0, clockSkewMs: 0, wrongPassword: false };
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly digest: DigestAuth;
  private boundPort = 0;
  private udp: UdpSocket | null = null;
  private boundDiscoveryPort = 0;
  private readonly events: EventsService;
  private rebooting: Promise<void> | null = null;

  constructor(private readonly opts: SimCameraOptions) {
    this.name = opts.name;
    this.host = opts.host;
    this.digest = new DigestAuth(`loa-sim ${opts.name}`, () => opts.clock.now());
    this.events = new EventsService({
      name: opts.name,
      clock: opts.clock,
      cameraNow: () => opts.clock.now() + this.faults.clockSkewMs,
      base: () => `http://${this.host}:${this.boundPort}`,
      logger: opts.logger,
    });
  }

  /** Whether the motion detector is active now (see triggerMotion). */
  get motion(): boolean {
    return this.events.motion;
  }

  /** Live pull-point subscriptions. */
  get subscriptionCount(): number {
    return this.events.subscriptionCount;
  }

  /** Motion now (IsMotion=true to every subscription) and its end (false) after durationMs. */
  triggerMotion(durationMs = DEFAULT_MOTION_MS): void {
    if (!(durationMs >= 0) || !Number.isFinite(durationMs)) throw new RangeError(`motion duration must be a non-negative number of ms, not ${durationMs}`);
    this.events.triggerMotion(durationMs);
  }

  get port(): number {
    return this.boundPort;
  }

  /** What GetStreamUri answers for the profile (streams for real only in a farm started with video). */
  rtspUrl(profileToken: (typeof R.PROFILES)[number]['token'] = 'profile_main'): string {
    return R.rtspUri(this.facts(), profileToken);
  }

  get deviceUrl(): string {
    return `http://${this.host}:${this.boundPort}${R.DEVICE_PATH}`;
  }

  /** The password the camera accepts now (a wrong-password fault changes it). */
  private get password(): string {
    return this.faults.wrongPassword ? `${this.opts.password}-changed-by-installer` : this.opts.password;
  }

  /** UDP port of this camera's WS-Discovery responder (0 when it has none). */
  get discoveryPort(): number {
    return this.boundDiscoveryPort;
  }

  discoveryFacts(): DiscoveryFacts {
    return { name: this.name, xaddr: this.deviceUrl, village: this.opts.village, endpoint: stableEndpoint(this.host) };
  }

  /** The ProbeMatches reply to a Probe datagram, or null when it is not a Probe for us or the camera is dead. */
  answerProbe(datagram: Buffer): string | null {
    if (this.faults.dead) return null;
    const probe = parseProbe(datagram.toString('utf8'));
    return probe ? probeMatch(this.discoveryFacts(), probe.messageId) : null;
  }

  private async startDiscovery(port: number): Promise<void> {
    const onError = (err: Error) => this.opts.logger.warn({ camera: this.name, err }, 'discovery socket error');
    this.udp = await bindProbeResponder(this.host, port, (msg) => this.answerProbe(msg), onError);
    this.boundDiscoveryPort = this.udp.address().port;
  }

  private facts(): R.CameraFacts {
    return {
      name: this.name,
      serial: `SIM-${this.host.replace(/\./g, '-')}`,
      base: `http://${this.host}:${this.boundPort}`,
      host: this.host,
      rtspPort: this.opts.rtspPort ?? 554,
    };
  }

  async start(): Promise<void> {
    const dport = this.opts.discoveryPort === undefined ? WSD_PORT : this.opts.discoveryPort;
    await this.open(this.opts.port, dport);
  }

  /** A reboot: stops and starts on the same address and ports; subscriptions and motion are forgotten. */
  async restart(): Promise<void> {
    const [port, dport] = [this.boundPort, this.udp ? this.boundDiscoveryPort : null];
    const rebooting = this.close().then(() => this.open(port, dport));
    this.rebooting = rebooting;
    await rebooting.finally(() => {
      if (this.rebooting === rebooting) this.rebooting = null;
    });
    this.opts.logger.debug({ camera: this.name }, 'camera restarted');
  }

  private async open(port: number, dport: number | null): Promise<void> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = 5_000;
    server.on('connection', (socket) => {
      // A dead camera: the TCP stack still accepts (the box is "on the network") but nothing answers.
      if (this.faults.dead) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : port;
    if (dport !== null) {
      try {
        await this.startDiscovery(dport);
      } catch (e) {
        await this.stop();
        throw e;
      }
    }
    this.opts.logger.debug({ camera: this.name, url: this.deviceUrl }, 'camera listening');
  }

  /** Dead also drops kept-alive connections, so clients holding one notice at once. */
  setFaults(f: Partial<CameraFaults>): void {
    Object.assign(this.faults, f);
    if (this.faults.dead) for (const s of this.sockets) s.destroy();
  }

  /** Stops for good; a restart under way finishes first, so it cannot leave a server behind. */
  async stop(): Promise<void> {
    await this.rebooting?.catch(() => undefined);
    await this.close();
  }

  private async close(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    // Held PullMessages get their (empty) answer before the sockets go, and every event timer stops.
    await this.events.reset();
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.faults.dead) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.socket.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const answer = () => {
        if (this.faults.dead) return void req.socket.destroy();
        try {
          this.route(req, Buffer.concat(chunks).toString('utf8'), res);
        } catch (e) {
          this.opts.logger.warn({ camera: this.name, err: e }, 'camera request failed');
          this.send(res, 500, SOAP_TYPE, fault('s:Receiver', 'ter:Action', 'internal error'));
        }
      };
      if (this.faults.slowMs > 0) this.opts.clock.setTimeout(answer, this.faults.slowMs);
      else answer();
    });
  }

  private send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  private route(req: IncomingMessage, body: string, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'GET' && path.startsWith('/onvif/snapshot/')) return this.snapshot(req, path, res);
    if (req.method !== 'POST' || (path !== R.DEVICE_PATH && path !== R.MEDIA_PATH && !EventsService.handles(path))) {
      return this.send(res, 404, 'text/plain', 'not found\n');
    }
    const soap = parseSoap(body);
    if (!soap) return this.send(res, 400, SOAP_TYPE, fault('s:Sender', 'ter:InvalidArgVal', 'not a SOAP envelope'));
    if (!UNAUTHENTICATED.has(soap.action) && !(soap.token && tokenMatches(soap.token, this.opts.user, this.password))) {
      // ONVIF Core 5.9.1: WS-Security failures are a 400 with ter:NotAuthorized (401 is for HTTP Digest).
      this.opts.logger.debug({ camera: this.name, action: soap.action }, 'camera refused credentials');
      return this.send(res, 400, SOAP_TYPE, fault('s:Sender', 'ter:NotAuthorized', 'Sender not Authorized'));
    }
    if (EventsService.handles(path)) return this.events.handle(path, soap, res);
    const reply = this.answer(path, soap);
    if (reply) this.send(res, 200, SOAP_TYPE, envelope(reply));
    else this.send(res, 400, SOAP_TYPE, fault('s:Receiver', 'ter:ActionNotSupported', `${soap.action} is not supported`));
  }

  private answer(path: string, soap: SoapRequest): Record<string, unknown> | null {
    const f = this.facts();
    const token = String((soap.params.ProfileToken as unknown) ?? R.PROFILES[0].token);
    if (path === R.DEVICE_PATH) {
      switch (soap.action) {
        case 'GetSystemDateAndTime':
          return R.dateAndTime(this.opts.clock.now() + this.faults.clockSkewMs);
        case 'GetDeviceInformation':
          return R.deviceInformation(f);
        case 'GetCapabilities':
          return R.capabilities(f);
        case 'GetServices':
          return R.services(f);
        default:
          return null;
      }
    }
    switch (soap.action) {
      case 'GetProfiles':
        return R.profiles();
      case 'GetProfile':
        return R.profileExists(token) ? R.profile(token) : null;
      case 'GetVideoSources':
        return R.videoSources();
      case 'GetStreamUri':
        return R.profileExists(token) ? R.streamUri(f, token) : null;
      case 'GetSnapshotUri':
        return R.profileExists(token) ? R.snapshotUri(f, token) : null;
      default:
        return null;
    }
  }

  private snapshot(req: IncomingMessage, path: string, res: ServerResponse): void {
    const token = path.slice('/onvif/snapshot/'.length).replace(/\.jpg$/, '');
    if (!R.profileExists(token)) return this.send(res, 404, 'text/plain', 'no such profile\n');
    const verdict = this.digest.check(req.headers.authorization, req.method ?? 'GET', req.url ?? '', this.opts.user, this.password);
    if (verdict !== 'ok') {
      return this.send(res, 401, 'text/plain', 'unauthorized\n', { 'WWW-Authenticate': this.digest.challenge(verdict === 'stale') });
    }
    this.send(res, 200, 'image/jpeg', this.opts.jpeg, { 'Cache-Control': 'no-store' });
  }
}
