// Test clients for the simulated cameras' events service: the `onvif` npm package (written by others)
// with promise wrappers, and raw SOAP 1.2 with a WS-Security UsernameToken digest built from the
// OASIS profile, for requests the package cannot make (a PT2S PullMessages, a wrong password).
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import onvif from 'onvif';

export type AnyCam = InstanceType<typeof onvif.Cam> & Record<string, any>;

export function connectCam(opts: { hostname: string; port: number; username?: string; password?: string; timeout?: number }): Promise<AnyCam> {
  return new Promise((resolve, reject) => {
    const cam = new onvif.Cam({ username: 'admin', password: 'admin', ...opts, autoconnect: false } as any) as AnyCam;
    cam.connect((err: Error | null) => (err ? reject(err) : resolve(cam)));
  });
}

/** Calls a callback-style method of the onvif package's Cam. */
export function camCall<T = any>(cam: AnyCam, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    cam[method](...args, (err: Error | null, data: T) => (err ? reject(err) : resolve(data)));
  });
}

export const TEV = 'http://www.onvif.org/ver10/events/wsdl';
export const WSNT = 'http://docs.oasis-open.org/wsn/b-2';

function security(user: string, password: string): string {
  const nonce = randomBytes(16);
  const created = new Date().toISOString();
  const digest = createHash('sha1')
    .update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(password)]))
    .digest('base64');
  return (
    '<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" ' +
    'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>' +
    `<wsse:Username>${user}</wsse:Username>` +
    `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
    `<wsse:Nonce>${nonce.toString('base64')}</wsse:Nonce><wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
  );
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false });

export interface SoapReply {
  status: number;
  xml: string;
  /** The Body, namespace prefixes removed. */
  body: Record<string, any>;
}

/** POSTs one SOAP 1.2 request; credentials null sends no Security header. */
export function soap(
  url: string,
  bodyXml: string,
  creds: { user: string; password: string } | null = { user: 'admin', password: 'admin' },
): Promise<SoapReply> {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">' +
    `<s:Header>${creds ? security(creds.user, creds.password) : ''}</s:Header><s:Body>${bodyXml}</s:Body></s:Envelope>`;
  return new Promise((resolve, reject) => {
    // agent: false, so a destroyed connection is this request's own and no pooled socket is reused.
    const req = request(url, { method: 'POST', agent: false, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, xml: text, body: parser.parse(text)?.Envelope?.Body ?? {} });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(xml);
  });
}

export async function createSubscription(
  eventsUrl: string,
  initialTermination = 'PT60S',
): Promise<{ address: string; currentTime: number; terminationTime: number }> {
  const r = await soap(
    eventsUrl,
    `<CreatePullPointSubscription xmlns="${TEV}"><InitialTerminationTime>${initialTermination}</InitialTerminationTime></CreatePullPointSubscription>`,
  );
  const c = r.body.CreatePullPointSubscriptionResponse;
  if (r.status !== 200 || !c) throw new Error(`CreatePullPointSubscription failed (${r.status}): ${r.xml}`);
  return { address: c.SubscriptionReference.Address, currentTime: Date.parse(c.CurrentTime), terminationTime: Date.parse(c.TerminationTime) };
}

export interface PulledMessage {
  topic: string;
  dialect: string;
  utcTime: string;
  operation: string;
  isMotion: string;
  source: Record<string, string>;
}

export interface Pulled extends SoapReply {
  messages: PulledMessage[];
  terminationTime: number;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export async function pullMessages(address: string, timeout = 'PT2S', limit = 10, creds?: { user: string; password: string } | null): Promise<Pulled> {
  const r = await soap(address, `<PullMessages xmlns="${TEV}"><Timeout>${timeout}</Timeout><MessageLimit>${limit}</MessageLimit></PullMessages>`, creds);
  const p = r.body.PullMessagesResponse ?? {};
  const messages = list<any>(p.NotificationMessage).map((n) => {
    const m = n.Message.Message;
    const items = (x: any) => Object.fromEntries(list<any>(x?.SimpleItem).map((i) => [i['@_Name'], i['@_Value']]));
    return {
      topic: n.Topic['#text'],
      dialect: n.Topic['@_Dialect'],
      utcTime: m['@_UtcTime'],
      operation: m['@_PropertyOperation'],
      isMotion: items(m.Data).IsMotion,
      source: items(m.Source),
    };
  });
  return { ...r, messages, terminationTime: Date.parse(p.TerminationTime) };
}

export const renewXml = (t: string) => `<Renew xmlns="${WSNT}"><TerminationTime>${t}</TerminationTime></Renew>`;
export const unsubscribeXml = `<Unsubscribe xmlns="${WSNT}"/>`;

/** Resolves when check() is true, polling every 20 ms, or rejects after timeoutMs naming what. */
export async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
