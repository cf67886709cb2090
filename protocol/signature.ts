// Signed messages from the hub (issue 14, item 3): the hub signs what it publishes to a box (cmd,
// time, plan) with its Ed25519 key, so a box obeys only the hub, even through a rogue broker.
// Wire form (docs/protocol.md, "Signed messages"): the hub's JSON text with `,"sig":"<base64>"`
// put before its closing brace; the signature covers the topic, a newline and that JSON text
// without the `sig` member, so neither a field nor the addressee can be changed.
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** How a hub public key is written in configs and shown to operators: `ed25519:` + base64 of its 32 bytes. */
export const HUB_KEY_PATTERN = /^ed25519:[A-Za-z0-9+/]{43}=$/;

/** A signature as written in `sig`: 64 bytes of Ed25519 signature in standard base64. */
export const SIG_BASE64 = '[A-Za-z0-9+/]{86}==';

/** The `sig` member the hub puts last in a signed payload. */
const SIG_TAIL = new RegExp(`,"sig":"(${SIG_BASE64})"\\}$`);

export type SignatureRefusal = 'unsigned' | 'bad-signature';

export type Opened = { ok: true; body: string } | { ok: false; reason: SignatureRefusal; detail: string };

/** The bytes a signature covers: the topic it was published on, a newline, the JSON without `sig`. */
function signedBytes(topic: string, body: string): Buffer {
  return Buffer.from(`${topic}\n${body}`, 'utf8');
}

/** Signs a JSON object's text for one topic; returns the payload to publish. */
export function signPayload(privateKey: KeyObject, topic: string, body: string): string {
  if (!body.startsWith('{') || !body.endsWith('}') || body === '{}') throw new Error('only a non-empty JSON object can be signed');
  const sig = sign(null, signedBytes(topic, body), privateKey).toString('base64');
  return `${body.slice(0, -1)},"sig":"${sig}"}`;
}

/** Parses `ed25519:BASE64` into a public key; throws with the reason. */
export function parseHubKey(text: string): KeyObject {
  if (!HUB_KEY_PATTERN.test(text)) throw new Error('must be ed25519: followed by the 44-character base64 public key the hub prints');
  const x = Buffer.from(text.slice('ed25519:'.length), 'base64').toString('base64url');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
}

/** The `ed25519:BASE64` form of an Ed25519 public (or private) key. */
export function formatHubKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = pub.export({ format: 'jwk' });
  return `ed25519:${Buffer.from(x ?? '', 'base64url').toString('base64')}`;
}

/**
 * Checks a payload against the hub keys a box trusts (more than one during a key rotation) and
 * returns the exact JSON text that was signed: the box acts on those bytes and nothing else.
 */
export function openSigned(keys: readonly KeyObject[], topic: string, payload: Buffer | string): Opened {
  const text = typeof payload === 'string' ? payload : payload.toString('utf8');
  const m = SIG_TAIL.exec(text);
  if (!m) return { ok: false, reason: 'unsigned', detail: 'the message carries no hub signature (sig)' };
  const body = `${text.slice(0, m.index)}}`;
  const sig = Buffer.from(m[1] ?? '', 'base64');
  const data = signedBytes(topic, body);
  if (keys.some((k) => verify(null, data, k, sig))) return { ok: true, body };
  return { ok: false, reason: 'bad-signature', detail: `the signature does not match any of the ${keys.length} trusted hub key(s) for ${topic}` };
}

/** What a box does with messages from the hub: check them against its keys, or (only when its
 *  config says so explicitly) take them unchecked. */
export class HubMessageCheck {
  private readonly keys: KeyObject[];

  constructor(
    keys: readonly string[],
    readonly acceptUnsigned = false,
  ) {
    this.keys = keys.map(parseHubKey);
  }

  open(topic: string, payload: Buffer | string): Opened {
    if (this.acceptUnsigned) return { ok: true, body: typeof payload === 'string' ? payload : payload.toString('utf8') };
    return openSigned(this.keys, topic, payload);
  }
}
