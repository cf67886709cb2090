// The signed-message wire form (protocol/signature.ts) as docs/protocol.md states it: the document's
// example verifies under its key, and a firmware author following its steps gets the same answer.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HubMessageCheck, openSigned, parseHubKey } from '../protocol/index.js';

const doc = readFileSync('docs/protocol.md', 'utf8');
const section = doc.slice(doc.indexOf('### Signed messages'), doc.indexOf('### Presence'));
const key = /signed by the key `(ed25519:[^`]+)`/.exec(section)![1]!;
const topic = /on `(loa\/v1\/clusters\/[^`]+)`, signed/.exec(section)![1]!;
const example = /```json\n(.+)\n```/.exec(section)![1]!;

describe('signed messages, as docs/protocol.md describes them', () => {
  it("the document's example verifies, and only on its own topic and bytes", () => {
    const keys = [parseHubKey(key)];
    const opened = openSigned(keys, topic, example);
    expect(opened).toMatchObject({ ok: true });
    expect(JSON.parse((opened as { body: string }).body)).toMatchObject({ type: 'volume', volume: 65 });
    expect(openSigned(keys, topic.replace('ban-hon', 'pa-te'), example)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(openSigned(keys, topic, example.replace('"volume":65', '"volume":100'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(openSigned(keys, topic, example.replace(/,"sig":"[^"]+"/, ''))).toMatchObject({ ok: false, reason: 'unsigned' });
  });

  it('a box without keys takes messages unchecked only when told to', () => {
    expect(new HubMessageCheck([], true).open(topic, '{"v":1}')).toEqual({ ok: true, body: '{"v":1}' });
    expect(new HubMessageCheck([key]).open(topic, '{"v":1}')).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(() => new HubMessageCheck(['ed25519:short'])).toThrow(/must be ed25519:/);
  });
});
