// The loa-sim fleet file: the accepted shapes (YAML/JSON list, {clusters: […]}, JSON lines),
// per-cluster overrides, and errors that name the file, line and field.
import { describe, expect, it } from 'vitest';
import { parseFleetFile } from '../firmware-sim/index.js';

describe('loa-sim fleet file', () => {
  it('reads a YAML list with per-cluster overrides', () => {
    const text = [
      '- id: ban-hon',
      '  secret: a',
      '- id: pa-te',
      '  secret: b',
      '  overrides:',
      '    delayMs: 20-80',
      '    clockOffsetMs: -300',
      '    failureRate: 0.5',
    ].join('\n');
    expect(parseFleetFile(text, 'fleet.yaml')).toEqual([
      { id: 'ban-hon', secret: 'a' },
      { id: 'pa-te', secret: 'b', overrides: { delayMs: { min: 20, max: 80 }, clockOffsetMs: -300, failureRate: 0.5 } },
    ]);
  });

  it('reads JSON, with or without a clusters key, and ignores extra fields', () => {
    const specs = [{ id: 'khau-pha', secret: 's', name: 'Khau Phạ' }];
    expect(parseFleetFile(JSON.stringify(specs), 'f.json')).toEqual([{ id: 'khau-pha', secret: 's' }]);
    expect(parseFleetFile(JSON.stringify({ clusters: specs }), 'f.json')).toEqual([{ id: 'khau-pha', secret: 's' }]);
    expect(parseFleetFile('{"cluster":{"id":"lang-cang","name":"x"},"secret":"t"}', 'one.json')).toEqual([{ id: 'lang-cang', secret: 't' }]);
  });

  it('reads the objects that repeated `loa clusters add ID --json` print, pretty or one per line', () => {
    const pretty = '{\n  "id": "sim-1",\n  "secret": "a}{b\\"c"\n}\n{\n  "id": "sim-2",\n  "secret": "x"\n}\n';
    expect(parseFleetFile(pretty, 'fleet.json')).toEqual([
      { id: 'sim-1', secret: 'a}{b"c' },
      { id: 'sim-2', secret: 'x' },
    ]);
    expect(parseFleetFile('{"id":"sim-1","secret":"a"}\n{"id":"sim-2","secret":"b"}', 'fleet.jsonl')).toHaveLength(2);
    expect(() => parseFleetFile('{\n  "id": "sim-1",\n  "secret": "a"\n}\n{\n  "id": "sim-1"\n}\n', 'f.json')).toThrow(/f\.json:5: secret/);
  });

  it('names the file, line and field of each problem', () => {
    const dup = ['clusters:', '  - id: ban-hon', '    secret: a', '  - id: ban-hon', '    secret: b'].join('\n');
    expect(() => parseFleetFile(dup, 'fleet.yaml')).toThrow(/fleet\.yaml:4:\d+: clusters\.1\.id: cluster ban-hon appears twice/);
    const badOverride = ['- id: a-1', '  secret: a', '  overrides:', '    failureRate: 3'].join('\n');
    expect(() => parseFleetFile(badOverride, 'fleet.yaml')).toThrow(/fleet\.yaml:4:\d+: 0\.overrides\.failureRate/);
    expect(() => parseFleetFile('{"id":"a-1","secret":"x"}\n{"id":"a-2"}\n', 'f.jsonl')).toThrow(/f\.jsonl:2: secret/);
    expect(() => parseFleetFile('{"id":"a-1","secret":"x"} oops', 'f.json')).toThrow(/f\.json:1: unexpected "o"/);
    expect(() => parseFleetFile('clusters: []', 'empty.yaml')).toThrow(/lists no cluster/);
  });
});
