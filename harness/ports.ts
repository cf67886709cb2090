// Free local TCP ports and probes of them: harness shared by tests/ and bench/. A free port for the
// child processes they start (hub, Mosquitto, simulated cameras), and whether something accepts
// connections or listens on a port.
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';

/** A port on `host` that was free a moment ago (the OS picks it; the caller binds it next, or keeps it
 *  as a port nothing listens on). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, () => resolve());
  });
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** True when a TCP connection to 127.0.0.1:port is accepted (the connection is closed again). */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Is a socket listening on this TCP port on this machine (/proc/net/tcp, state 0A)? Unlike a
 *  probe connection it says so while a fleet fills the listener's accept queue, e.g. right after
 *  a broker restarts under 10,000 reconnecting boxes. */
export function portListening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(hex)) return true;
    }
  }
  return false;
}
