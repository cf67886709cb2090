// docs/protocol.md's Python check of a hub signature, run as a vendor would run it (python3 with the
// `cryptography` package) on the document's own signed example: it must agree with the box's check.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSigned, parseHubKey } from '../protocol/index.js';

const doc = readFileSync('docs/protocol.md', 'utf8');
const snippet = /<!-- example:python-open-signed -->\n```python\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? '';
const key = /signed by the key `(ed25519:[^`]+)`/.exec(doc)![1]!;
const topic = /on `(loa\/v1\/clusters\/[^`]+)`, signed/.exec(doc)![1]!;
const example = /<!-- example:cmd-volume -->\n```json\n(.+)\n```/.exec(doc)![1]!;
const hasPython = spawnSync('python3', ['-c', 'import cryptography'], { stdio: 'ignore' }).status === 0;
// CI=true forbids skipping for a missing tool: .ci/run installs python3-cryptography.
if (!hasPython && process.env.CI === 'true')
  throw new Error('python3 with the cryptography package is not installed; .ci/run must install python3-cryptography (CI=true forbids skipping)');

/** Runs the doc's open_signed on one payload; prints the body, or the ValueError's reason. */
function pythonOpen(onTopic: string, payload: string): string {
  const driver = `
import sys
try:
    sys.stdout.write(open_signed([sys.argv[1]], sys.argv[2], sys.argv[3].encode("utf-8")).decode("utf-8"))
except ValueError as e:
    sys.stdout.write("refused: " + str(e))
`;
  return execFileSync('python3', ['-c', `${snippet}\n${driver}`, key, onTopic, payload], { encoding: 'utf8', timeout: 20_000 });
}

describe("the doc's Python signature check", () => {
  it('is in the document', () => {
    expect(snippet).toContain('def open_signed(keys, topic, payload):');
  });

  it.skipIf(!hasPython)('opens the signed example to the bytes the box acts on, and refuses what the box refuses', () => {
    const node = openSigned([parseHubKey(key)], topic, example);
    expect(node.ok).toBe(true);
    expect(pythonOpen(topic, example)).toBe((node as { body: string }).body);
    expect(pythonOpen(topic.replace('ban-hon', 'pa-te'), example)).toBe('refused: bad-signature');
    expect(pythonOpen(topic, example.replace('"volume":65', '"volume":100'))).toBe('refused: bad-signature');
    expect(pythonOpen(topic, example.replace(/,"sig":"[^"]+"/, ''))).toBe('refused: unsigned');
    // A payload with a line feed after it is not the hub's: Python's `$` would have let it through.
    expect(pythonOpen(topic, `${example}\n`)).toBe('refused: unsigned');
    expect(openSigned([parseHubKey(key)], topic, `${example}\n`)).toMatchObject({ ok: false, reason: 'unsigned' });
  });
});
