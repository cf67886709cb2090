// A TCP proxy standing in for a village's 4G link, for presence tests: freeze() makes the link go
// silently dead (nothing passes either way, no FIN, no RST, like a modem that lost its carrier),
// thaw() brings it back. Sessions that were open across the outage never recover, as on a real
// link after the NAT entry is gone; new connections made after thaw() pass normally.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

interface Session {
  device: Socket;
  hub: Socket | null;
  dead: boolean;
}

export class LinkProxy {
  private server: Server | null = null;
  private readonly sessions = new Set<Session>();
  private frozen = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = createServer((device) => this.accept(device));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** Connections currently forwarding (not dead). */
  get liveSessions(): number {
    return [...this.sessions].filter((s) => !s.dead).length;
  }

  freeze(): void {
    this.frozen = true;
    for (const s of this.sessions) s.dead = true;
  }

  /** The link is back: the dead sessions are dropped (their peers find out), new ones pass. */
  thaw(): void {
    this.frozen = false;
    for (const s of [...this.sessions]) if (s.dead) this.drop(s);
  }

  async stop(): Promise<void> {
    for (const s of [...this.sessions]) this.drop(s);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(device: Socket): void {
    // While the link is down a new connection goes nowhere: its bytes are swallowed.
    const s: Session = { device, hub: null, dead: this.frozen };
    this.sessions.add(s);
    device.on('error', () => undefined);
    if (s.dead) return;
    const hub = connect(this.target.port, this.target.host);
    s.hub = hub;
    hub.on('error', () => undefined);
    // A dead link loses data rather than buffering it, and does not pass on closes either.
    device.on('data', (d: Buffer) => !s.dead && hub.write(d));
    hub.on('data', (d: Buffer) => !s.dead && device.write(d));
    device.on('close', () => !s.dead && this.drop(s));
    hub.on('close', () => !s.dead && this.drop(s));
  }

  private drop(s: Session): void {
    this.sessions.delete(s);
    s.device.destroy();
    s.hub?.destroy();
  }
}
