// SOAP 1.2 plumbing of the simulated ONVIF camera: parses a request envelope (action name and the
// WS-Security UsernameToken), checks PasswordDigest, and builds reply and fault envelopes.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  ter: 'http://www.onvif.org/ver10/error',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wstop: 'http://docs.oasis-open.org/wsn/t-1',
  tns1: 'http://www.onvif.org/ver10/topics',
  'wsrf-rw': 'http://docs.oasis-open.org/wsrf/rw-2',
  'wsrf-bf': 'http://docs.oasis-open.org/wsrf/bf-2',
  xs: 'http://www.w3.org/2001/XMLSchema',
} as const;

export const SOAP_TYPE = 'application/soap+xml; charset=utf-8';

export interface UsernameToken {
  username: string;
  password: string;
  /** True when the password is a PasswordDigest (the only kind ONVIF clients should send). */
  digest: boolean;
  nonce: string;
  created: string;
}

export interface SoapRequest {
  /** Local name of the first element in the Body, e.g. "GetProfiles". */
  action: string;
  /** The action element's children, prefixes removed. */
  params: Record<string, unknown>;
  token: UsernameToken | null;
}

// Prefixes are removed because clients choose their own (onvif-node uses a default xmlns, others tds:).
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, textNodeName: '#text' });
// suppressBooleanAttributes off: otherwise fixed="true" is written as a bare `fixed`, which is not XML.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  textNodeName: '#text',
});

export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as Record<string, unknown>)['#text']);
  return '';
}

export function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** A SOAP envelope's header and body (namespace prefixes removed); null when it is not XML. */
export function parseEnvelope(xml: string): { header: Record<string, unknown>; body: Record<string, unknown> } | null {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return null;
  }
  const env = obj(doc.Envelope);
  return { header: obj(env.Header), body: obj(env.Body) };
}

/** Parses a SOAP request; null when the body is not a SOAP envelope with an action in it. */
export function parseSoap(xml: string): SoapRequest | null {
  const envelope = parseEnvelope(xml);
  if (!envelope) return null;
  const { header, body } = envelope;
  const action = Object.keys(body).find((k) => !k.startsWith('@_'));
  if (!action) return null;
  const ut = obj(obj(header.Security).UsernameToken);
  let token: UsernameToken | null = null;
  if (ut.Username !== undefined) {
    const pw = ut.Password;
    const type = String(obj(pw)['@_Type'] ?? '');
    token = { username: text(ut.Username), password: text(pw), digest: type.endsWith('#PasswordDigest'), nonce: text(ut.Nonce), created: text(ut.Created) };
  }
  return { action, params: obj(body[action]), token };
}

/** WS-Security UsernameToken check: Base64(SHA1(nonce + created + password)), compared in constant time. */
export function tokenMatches(token: UsernameToken, user: string, password: string): boolean {
  if (token.username !== user) return false;
  if (!token.digest) return token.password === password;
  const expected = createHash('sha1')
    .update(Buffer.concat([Buffer.from(token.nonce, 'base64'), Buffer.from(token.created, 'utf8'), Buffer.from(password, 'utf8')]))
    .digest();
  const given = Buffer.from(token.password, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A reply envelope around one body element (given as a fast-xml-parser object with prefixed names). */
export function envelope(body: Record<string, unknown>): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    builder.build({
      's:Envelope': {
        // Every prefix is declared on every reply: QName values (fault codes, topics, xs:boolean
        // types) use them too, and a few dozen bytes are cheaper than tracking which ones a body needs.
        ...Object.fromEntries(Object.entries(NS).map(([p, uri]) => [`@_xmlns:${p}`, uri])),
        's:Body': body,
      },
    })
  );
}

/** A SOAP 1.2 fault with an ONVIF subcode, e.g. fault('s:Sender', 'ter:NotAuthorized', '…'). */
export function fault(code: 's:Sender' | 's:Receiver', subcode: string, reason: string, subsubcode?: string, detail?: Record<string, unknown>): string {
  const sub: Record<string, unknown> = { 's:Value': subcode };
  if (subsubcode) sub['s:Subcode'] = { 's:Value': subsubcode };
  const body: Record<string, unknown> = {
    's:Code': { 's:Value': code, 's:Subcode': sub },
    's:Reason': { 's:Text': { '@_xml:lang': 'en', '#text': reason } },
  };
  if (detail) body['s:Detail'] = detail;
  return envelope({ 's:Fault': body });
}

/** Writes a SOAP reply unless the client has gone (or a dead fault cut the connection). */
export function sendSoap(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'Content-Type': SOAP_TYPE, 'Content-Length': Buffer.byteLength(xml), ...headers });
  res.end(xml);
}
