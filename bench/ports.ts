// Local TCP ports for the child processes that benchmarks and tests start (hub, Mosquitto): a free
// port on 127.0.0.1 and a probe for "something accepts connections there". One copy, shared by
// bench/ and tests/helpers/ (bench/ must not import from tests/).
import { connect, createServer, type AddressInfo } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it; the caller binds it next). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
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
