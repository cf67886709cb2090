// WS-Discovery (SOAP-over-UDP, port 3702) for simulated cameras: recognises a Probe and builds the
// ProbeMatches reply carrying the camera's XAddrs, types and scopes (ONVIF Core 7.3).
import { createHash, randomUUID } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { obj, parseEnvelope, text } from './soap.js';

export const WSD_PORT = 3702;
export const WSD_MULTICAST = '239.255.255.250';

export interface Probe {
  messageId: string;
}

export interface DiscoveryFacts {
  name: string;
  /** Device service URL. */
  xaddr: string;
  village?: string;
  /** Stable per camera, so a client sees the same endpoint across probes. */
  endpoint: string;
}

// Types we are: a Probe naming none, or naming one of these (by local name, prefixes vary), matches.
const OUR_TYPES = new Set(['NetworkVideoTransmitter', 'Device']);

/** A Probe this camera should answer, or null (not XML, not a Probe, or asking for other types). */
export function parseProbe(xml: string): Probe | null {
  const envelope = parseEnvelope(xml);
  if (!envelope) return null;
  const { header, body } = envelope;
  if (!('Probe' in body)) return null;
  const types = text(obj(body.Probe).Types).trim();
  if (types) {
    const wanted = types.split(/\s+/).map((t) => t.slice(t.indexOf(':') + 1));
    if (!wanted.some((t) => OUR_TYPES.has(t))) return null;
  }
  return { messageId: text(header.MessageID).trim() };
}

/** urn:uuid made from the address, so a camera keeps its endpoint across restarts as a real one does. */
export function stableEndpoint(host: string): string {
  const h = createHash('sha1').update(`loa-sim-camera ${host}`).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Scope URIs; names with spaces or Vietnamese letters are percent-encoded since scopes are space-separated. */
export function scopes(f: DiscoveryFacts): string[] {
  const out = [
    'onvif://www.onvif.org/type/video_encoder',
    'onvif://www.onvif.org/Profile/Streaming',
    `onvif://www.onvif.org/name/${encodeURIComponent(f.name)}`,
    'onvif://www.onvif.org/hardware/SimCam-S1',
  ];
  if (f.village) out.push(`onvif://www.onvif.org/location/${encodeURIComponent(f.village)}`);
  return out;
}

export function probeMatch(f: DiscoveryFacts, relatesTo: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" ' +
    'xmlns:tds="http://www.onvif.org/ver10/device/wsdl">' +
    '<s:Header>' +
    `<a:MessageID>uuid:${randomUUID()}</a:MessageID>` +
    (relatesTo ? `<a:RelatesTo>${esc(relatesTo)}</a:RelatesTo>` : '') +
    '<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>' +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action>' +
    '</s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>' +
    `<a:EndpointReference><a:Address>${esc(f.endpoint)}</a:Address></a:EndpointReference>` +
    '<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>' +
    `<d:Scopes>${esc(scopes(f).join(' '))}</d:Scopes>` +
    `<d:XAddrs>${esc(f.xaddr)}</d:XAddrs>` +
    '<d:MetadataVersion>1</d:MetadataVersion>' +
    '</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>'
  );
}

/** A UDP socket on host:port (0: a free port) that sends back whatever answer() makes of each datagram. */
export async function bindProbeResponder(
  host: string,
  port: number,
  answer: (msg: Buffer) => string | null,
  onError: (err: Error) => void,
): Promise<UdpSocket> {
  // reuseAddr: the farm's multicast socket binds 0.0.0.0:3702 next to these.
  const udp = createSocket({ type: 'udp4', reuseAddr: true });
  udp.on('message', (msg, rinfo) => {
    const reply = answer(msg);
    if (reply) udp.send(reply, rinfo.port, rinfo.address);
  });
  udp.on('error', onError);
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  return udp;
}
