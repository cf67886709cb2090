// Property-based fuzzing (fast-check) of every reader of untrusted or hand-written input (issue
// 14, "Done when"): the device payload decoder of each MQTT channel, the schedule reader and
// validator, the cameras file and the ONVIF reply parsers. The property is the same everywhere:
// whatever comes in, the reader answers (a value, a list of problems, or a LoaError that names
// what is wrong) and never throws anything else, hangs or crashes the process. Runs are bounded
// (numRuns) so the suite stays fast; a failure prints the shrunk input and its seed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoaError } from '../../common/errors.js';
import { parseProbeMatches } from '../../hub/cameras/discovery.js';
import { loadCamerasFile } from '../../hub/cameras/file.js';
import { parseDeviceInfo, parseFault, parseMotionNotices, parseProfiles, parseXml } from '../../hub/cameras/replies.js';
import { validateSchedule } from '../../hub/schedule/validate.js';
import { CHANNELS, decodePayload, type Channel } from '../../protocol/index.js';
import { tuLeContext } from '../helpers/schedule-fixtures.js';
import { makeTempDir } from '../helpers/tmp.js';

const RUNS = 300;
const tmp = makeTempDir('loa-fuzz-');
afterAll(() => tmp.remove());

/** Valid messages of some device channels, to mutate: fuzzing near the schema finds more. */
const SEEDS: Partial<Record<Channel, unknown>> = {
  presence: { v: 1, status: 'online', at: 1795400000000 },
  ack: { v: 1, cmdId: 'c-1', seq: 5, status: 'started', at: 1795400003004, broadcastId: 'b-1', positionMs: 0 },
  state: { v: 1, at: 1795400003010, volume: 80, lastSeq: 5, playing: null },
  health: {
    v: 1,
    at: 1795400030000,
    uptimeS: 86400,
    cpuTempC: 52.1,
    load1: 0.12,
    memFreeMb: 310,
    memTotalMb: 926,
    diskFreeMb: 11020,
    player: 'idle',
    lastError: null,
    agent: 'x/1',
  },
  timereq: { v: 1, id: 'ts.1', t0: 1795400000000 },
  playlog: { v: 1, entries: [{ broadcastId: 'b-1', startedAt: 1, endedAt: 2, startOffsetMs: 0, positionMs: 1, outcome: 'finished' }] },
};

/** A JSON value with the seed's keys but any values: the shapes a sloppy or hostile box sends. */
function mutated(seed: unknown): fc.Arbitrary<unknown> {
  if (seed === null || typeof seed !== 'object') return fc.oneof(fc.jsonValue(), fc.constant(seed));
  if (Array.isArray(seed)) return fc.array(mutated(seed[0]), { maxLength: 3 });
  const entries = Object.entries(seed as Record<string, unknown>);
  return fc.record(Object.fromEntries(entries.map(([k, v]) => [k, fc.oneof(mutated(v), fc.constant(v), fc.constant(undefined))])));
}

/** Decoding must answer ok or a reason; an ok value must be what the schema promises (re-encodable). */
function decodesSafely(channel: Channel, payload: string | Buffer): void {
  const d = decodePayload(channel, payload);
  if (d.ok) expect(() => JSON.stringify(d.value)).not.toThrow();
  else expect(typeof d.reason).toBe('string');
}

describe('device payloads', () => {
  for (const channel of Object.keys(CHANNELS) as Channel[]) {
    it(`${channel}: any bytes, any JSON and mutated messages are decoded or refused, never thrown`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesSafely(channel, Buffer.from(bytes))),
        { numRuns: RUNS },
      );
      fc.assert(
        fc.property(fc.jsonValue(), (v) => decodesSafely(channel, JSON.stringify(v) ?? 'null')),
        { numRuns: RUNS },
      );
      const seed = SEEDS[channel];
      if (seed)
        fc.assert(
          fc.property(mutated(seed), (v) => decodesSafely(channel, JSON.stringify(v) ?? 'null')),
          { numRuns: RUNS },
        );
    });
  }
});

describe('schedule files', () => {
  const tuLe = readFileSync('config/sites/tu-le/schedule.yaml', 'utf8');
  const lines = tuLe.split('\n');
  const check = (text: string) => {
    const r = validateSchedule(text, 'lich.yaml', tuLeContext());
    // Every problem names where it is.
    for (const p of r.problems) {
      expect(p.line, JSON.stringify(p)).toBeGreaterThanOrEqual(0);
      expect(typeof p.message).toBe('string');
    }
    if (r.problems.some((p) => p.severity === 'error')) expect(r.schedule).toBeNull();
  };

  it('any text is a list of problems with places, never an exception', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), check), { numRuns: RUNS });
  });

  it('the Tú Lệ file with lines dropped, repeated or replaced by junk is read the same way', () => {
    const edit = fc.record({ at: fc.nat({ max: lines.length - 1 }), how: fc.constantFrom('drop', 'repeat', 'junk'), junk: fc.string({ maxLength: 40 }) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const out = [...lines];
        for (const e of edits) {
          const i = Math.min(e.at, out.length - 1);
          if (e.how === 'drop') out.splice(i, 1);
          else if (e.how === 'repeat') out.splice(i, 0, out[i]!);
          else out[i] = `${out[i]!.match(/^\s*/)![0]}${e.junk}`;
        }
        check(out.join('\n'));
      }),
      { numRuns: 150 },
    );
  });
});

describe('the cameras file', () => {
  it('an alias to nothing and a "billion laughs" of aliases are file problems, not crashes (found by this fuzz)', () => {
    const file = join(tmp.path, 'aliases.yaml');
    writeFileSync(file, '*!\n');
    expect(() => loadCamerasFile(file)).toThrow(/aliases\.yaml:1:1: cannot read the YAML: Unresolved alias/);
    const level = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(`*${of}`).join(', ')}]`;
    writeFileSync(file, ['a: &a [x, x, x, x, x, x, x, x, x]', level('b', 'a'), level('c', 'b'), level('d', 'c'), level('e', 'd'), 'cameras: []'].join('\n'));
    expect(() => loadCamerasFile(file)).toThrow(/cannot read the YAML: Excessive alias count/);
  });

  it('any YAML-ish text loads or is a LoaError naming the file', () => {
    const file = join(tmp.path, 'cameras.yaml');
    const yamlish = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue().map((v) => JSON.stringify({ cameras: [v] })),
      fc.record({ id: fc.string(), host: fc.string(), port: fc.jsonValue(), path: fc.string() }).map((c) => `cameras:\n  - ${JSON.stringify(c)}\n`),
    );
    fc.assert(
      fc.property(yamlish, (text) => {
        writeFileSync(file, text);
        try {
          const cams = loadCamerasFile(file);
          expect(Array.isArray(cams)).toBe(true);
        } catch (e) {
          expect(isLoaError(e), String(e)).toBe(true);
          expect((e as Error).message).toContain('cameras.yaml');
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('ONVIF replies', () => {
  // Elements with ONVIF's names, nested at random: parsers that look for those names are reached.
  const NAMES = [
    's:Envelope',
    's:Body',
    's:Fault',
    'tds:GetDeviceInformationResponse',
    'tds:Manufacturer',
    'tds:Model',
    'trt:Profiles',
    'tt:Name',
    'wsnt:NotificationMessage',
    'tt:SimpleItem',
    'd:ProbeMatch',
    'd:XAddrs',
    'wsa:RelatesTo',
    's:Reason',
    's:Text',
    'x',
  ];
  const element: fc.Arbitrary<string> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 20 }).map((s) => s.replace(/[<&]/g, '')),
      fc
        .record({
          name: fc.constantFrom(...NAMES),
          attr: fc.option(fc.string({ maxLength: 10 }).map((s) => s.replace(/["<&]/g, ''))),
          kids: fc.array(tie('node'), { maxLength: 4 }),
        })
        .map(({ name, attr, kids }) => `<${name}${attr === null ? '' : ` Name="${attr}" Value="${attr}"`}>${kids.join('')}</${name}>`),
    ),
  })).node as fc.Arbitrary<string>;
  const reply = fc.oneof(
    fc.string({ maxLength: 300 }),
    element,
    element.map((e) => `<?xml version="1.0"?><s:Envelope><s:Body>${e}</s:Body></s:Envelope>`),
  );

  it('every parser answers (a value, null or an empty list) for any reply, never throws', () => {
    fc.assert(
      fc.property(reply, (xml) => {
        expect(() => parseXml(xml)).not.toThrow();
        expect(() => parseFault(xml)).not.toThrow();
        expect(() => parseDeviceInfo(xml)).not.toThrow();
        expect(Array.isArray(parseMotionNotices(xml))).toBe(true);
        expect(Array.isArray(parseProbeMatches(xml, 'urn:uuid:1', '127.0.0.1'))).toBe(true);
        expect(Array.isArray(parseProfiles(parseXml(xml)))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
