// Finding ONVIF cameras by WS-Discovery (ONVIF Core 7.3): a Probe for dn:NetworkVideoTransmitter
// multicast to 239.255.255.250:3702 and, for networks multicast does not cross, unicast to every
// address of the given ranges; the ProbeMatches that come back are untrusted and bounded.
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { Clock } from '../../common/clock.js';
import { expandRange, ipToInt, MAX_RANGE_ADDRESSES } from '../../common/camera-input.js';
import { cameraErrors } from './errors.js';
import type { Logger } from '../../common/logger.js';
import { list, obj, parseXml, textOf } from './replies.js';
import type { DiscoveredCamera, DiscoverOptions } from './types.js';

// Where they were first written; the hub and the CLI now share them from common/.
export { expandRange, MAX_RANGE_ADDRESSES };

export const WSD_MULTICAST = '239.255.255.250';
export const WSD_PORT = 3702;
const MAX_TIMEOUT_MS = 30_000;
const MAX_RESULTS = 4096;

const bad = cameraErrors.badRequest;

function probeMessage(messageId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<s:Header><a:MessageID>${messageId}</a:MessageID>` +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    '<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>'
  );
}

function scope(scopes: string[], key: string): string | null {
  const prefix = `onvif://www.onvif.org/${key}/`;
  const s = scopes.find((x) => x.startsWith(prefix));
  if (!s) return null;
  const raw = s.slice(prefix.length);
  try {
    return textOf(decodeURIComponent(raw), 128) || null;
  } catch {
    return textOf(raw, 128) || null;
  }
}

/** The cameras in one ProbeMatches datagram (usually one), or none when it is not one for us. */
export function parseProbeMatches(xml: string, messageId: string, from: string): Omit<DiscoveredCamera, 'knownAs'>[] {
  const doc = parseXml(xml);
  const env = obj(doc?.Envelope);
  const relatesTo = textOf(obj(env.Header).RelatesTo, 200);
  if (relatesTo && relatesTo !== messageId) return [];
  const out: Omit<DiscoveredCamera, 'knownAs'>[] = [];
  for (const raw of list(obj(obj(env.Body).ProbeMatches).ProbeMatch).slice(0, 16)) {
    const m = obj(raw);
    const xaddrs = textOf(m.XAddrs, 2048).split(/\s+/).filter(Boolean);
    const urls = xaddrs.flatMap((x) => {
      try {
        const u = new URL(x);
        return u.protocol === 'http:' || u.protocol === 'https:' ? [u] : [];
      } catch {
        return [];
      }
    });
    // Prefer the address it answered from: a camera lists all of its interfaces.
    const u = urls.find((x) => x.hostname === from) ?? urls[0];
    if (!u) continue;
    const scopes = textOf(m.Scopes, 4096).split(/\s+/);
    out.push({
      xaddr: textOf(u.toString(), 512),
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
      path: textOf(u.pathname, 256) || '/onvif/device_service',
      endpoint: textOf(obj(m.EndpointReference).Address, 200) || null,
      name: scope(scopes, 'name'),
      location: scope(scopes, 'location'),
      hardware: scope(scopes, 'hardware'),
    });
  }
  return out;
}

export interface DiscoveryDeps {
  clock: Clock;
  logger: Logger;
  /** The configured camera at a host and port, if any. */
  knownAs(host: string, port: number): string | null;
}

export async function discover(deps: DiscoveryDeps, opts: DiscoverOptions = {}): Promise<DiscoveredCamera[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 100 || timeoutMs > MAX_TIMEOUT_MS) throw bad(`discovery timeout must be from 100 to ${MAX_TIMEOUT_MS} ms.`);
  const port = opts.port ?? WSD_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`discovery port must be from 1 to 65535, not ${String(port)}.`);
  const targets = new Set<string>();
  for (const r of opts.ranges ?? []) for (const ip of expandRange(r)) targets.add(ip);
  if (targets.size > 4 * MAX_RANGE_ADDRESSES) throw bad(`probe at most ${4 * MAX_RANGE_ADDRESSES} addresses at a time.`);

  const messageId = `uuid:${randomUUID()}`;
  const probe = Buffer.from(probeMessage(messageId));
  const found = new Map<string, DiscoveredCamera>();
  const socket: Socket = createSocket({ type: 'udp4' });
  socket.on('message', (msg, rinfo) => {
    if (msg.length > 64 * 1024 || found.size >= MAX_RESULTS) return;
    for (const m of parseProbeMatches(msg.toString('utf8'), messageId, rinfo.address)) {
      const key = m.endpoint ?? m.xaddr;
      if (!found.has(key)) found.set(key, { ...m, knownAs: deps.knownAs(m.host, m.port) });
    }
  });
  socket.on('error', (err) => deps.logger.debug({ err }, 'discovery socket error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    const send = (host: string) =>
      new Promise<void>((resolve) =>
        socket.send(probe, port, host, (err) => {
          if (err) deps.logger.debug({ host, err: err.message }, 'probe not sent');
          resolve();
        }),
      );
    if (opts.multicast ?? true) await send(WSD_MULTICAST);
    // In batches, so a /22 does not overflow the socket's send buffer.
    const all = [...targets];
    for (let i = 0; i < all.length; i += 64) await Promise.all(all.slice(i, i + 64).map(send));
    await new Promise<void>((resolve) => deps.clock.setTimeout(resolve, timeoutMs));
  } finally {
    socket.close();
  }
  return [...found.values()].sort(
    (a, b) => ipToInt(isIPv4(a.host) ? a.host : '0.0.0.0') - ipToInt(isIPv4(b.host) ? b.host : '0.0.0.0') || a.xaddr.localeCompare(b.xaddr),
  );
}
