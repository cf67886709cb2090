// Reading what a camera answered, defensively: every field may be missing, of the wrong type or
// absurdly long, and none of that may crash the hub or reach a view unchecked.
import { XMLParser } from 'fast-xml-parser';
import type { CameraDeviceInfo, CameraProfile } from './types.js';
import { xmlShapeOk } from './xml-shape.js';

/** Largest SOAP reply accepted from a camera (a real GetProfiles is a few tens of kB). */
export const ONVIF_MAX_REPLY_BYTES = 1024 * 1024;
/** Largest snapshot the proxy fetches. */
export const SNAPSHOT_MAX_BYTES = 5 * 1024 * 1024;
const MAX_PROFILES = 32;

// Prefixes vary by vendor (tds:, ns1:, none), so they are dropped; values stay text so a serial
// number like "0012" or a firmware "1.10" is not turned into a number.
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  textNodeName: '#text',
});

/** The parsed document, or null when it is not XML or its shape passes the limits (xml-shape.ts). */
export function parseXml(xml: string): Record<string, unknown> | null {
  if (!xmlShapeOk(xml)) return null;
  try {
    const doc: unknown = parser.parse(xml);
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Text of a node (a string, a number, or an element with #text), clipped; '' when there is none. */
export function textOf(v: unknown, max = 128): string {
  let s = '';
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else if (v && typeof v === 'object' && '#text' in v) return textOf((v as Record<string, unknown>)['#text'], max);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters in untrusted text is the point
  s = s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return s.length > max ? s.slice(0, max) : s;
}

/** The first element of that name inside a SOAP Body, or undefined. */
export function bodyElement(xml: string, name: string): Record<string, unknown> | undefined {
  const doc = parseXml(xml);
  const body = obj(obj(doc?.Envelope).Body);
  return name in body ? obj(body[name]) : undefined;
}

export interface SoapFault {
  /** The most specific code given: the subcode (e.g. ter:NotAuthorized) or else the code. */
  code: string;
  reason: string;
}

/** A SOAP 1.2 (or 1.1) fault in a reply, or null. */
export function parseFault(xml: string): SoapFault | null {
  const body = obj(obj(parseXml(xml)?.Envelope).Body);
  if (!('Fault' in body)) return null;
  const f = obj(body.Fault);
  let codeNode = obj(f.Code);
  let code = textOf(codeNode.Value, 80) || textOf(f.faultcode, 80);
  // Walk down the subcodes: the innermost names the error best.
  for (let depth = 0; depth < 4 && codeNode.Subcode !== undefined; depth++) {
    codeNode = obj(codeNode.Subcode);
    code = textOf(codeNode.Value, 80) || code;
  }
  const reason = textOf(list(obj(f.Reason).Text)[0], 100) || textOf(f.faultstring, 100);
  return { code, reason };
}

export function parseDeviceInfo(xml: string): CameraDeviceInfo | null {
  const r = bodyElement(xml, 'GetDeviceInformationResponse');
  if (!r) return null;
  return {
    manufacturer: textOf(r.Manufacturer),
    model: textOf(r.Model),
    firmwareVersion: textOf(r.FirmwareVersion),
    serialNumber: textOf(r.SerialNumber),
    hardwareId: textOf(r.HardwareId),
  };
}

/** Profile tokens go back into our requests (the package writes them into XML unescaped). */
const TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;

function dimension(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n <= 100_000 ? n : null;
}

/** Profiles from the onvif package's parse of GetProfiles (Media1 or its Media2 conversion). */
export function parseProfiles(data: unknown): CameraProfile[] {
  const out: CameraProfile[] = [];
  for (const raw of list(data).slice(0, MAX_PROFILES)) {
    const p = obj(raw);
    const token = textOf(obj(p.$).token ?? p.token, 65);
    if (!TOKEN.test(token)) continue;
    const enc = obj(p.videoEncoderConfiguration);
    const res = obj(enc.resolution);
    out.push({
      token,
      name: textOf(p.name) || token,
      encoding: textOf(enc.encoding, 32) || null,
      width: dimension(res.width),
      height: dimension(res.height),
    });
  }
  return out;
}

/** The main profile: the largest picture (cameras list main and sub streams in any order). */
export function mainProfile(profiles: CameraProfile[]): CameraProfile | undefined {
  return [...profiles].sort((a, b) => (b.width ?? 0) * (b.height ?? 0) - (a.width ?? 0) * (a.height ?? 0))[0];
}

/** A media URI from a camera: the right scheme, no embedded user:password, bounded length; else null. */
export function safeUri(v: unknown, schemes: string[]): string | null {
  const s = textOf(obj(v).uri ?? v, 2048);
  if (!s || s.length > 1024) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (!schemes.includes(u.protocol)) return null;
  u.username = '';
  u.password = '';
  return u.toString();
}

export interface MotionNotice {
  /** True when motion started, false when it stopped. */
  motion: boolean;
  topic: string;
}

/**
 * Motion notices in a PullMessagesResponse: NotificationMessages whose topic names Motion, with a
 * Data SimpleItem IsMotion (or State) true/false. Anything else in the reply is ignored.
 */
export function parseMotionNotices(xml: string): MotionNotice[] {
  const r = bodyElement(xml, 'PullMessagesResponse');
  if (!r) return [];
  const out: MotionNotice[] = [];
  for (const raw of list(r.NotificationMessage).slice(0, 100)) {
    const n = obj(raw);
    const topic = textOf(n.Topic, 256);
    if (!/motion/i.test(topic)) continue;
    const message = obj(obj(n.Message).Message);
    for (const item of list(obj(message.Data).SimpleItem)) {
      const it = obj(item);
      const name = textOf(it['@_Name'], 64);
      if (name !== 'IsMotion' && name !== 'State') continue;
      const value = textOf(it['@_Value'], 16).toLowerCase();
      if (value === 'true' || value === '1') out.push({ motion: true, topic });
      else if (value === 'false' || value === '0') out.push({ motion: false, topic });
    }
  }
  return out;
}
