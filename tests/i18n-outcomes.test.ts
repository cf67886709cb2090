// Why an item ended as it did, in the reader's language (issue 13, item 13: `loa log --lang vi`
// showed `replaced`, `stop-command`, `not-sent`). Every reason docs/errors.md lists is in the
// shared catalogue in both languages; `loa log` and `loa broadcast show` use it, and a reason the
// catalogue does not know (a newer box) is shown as it came. The CLI runs in-process against the
// stand-in hub of tests/helpers/cli-standin-hub.ts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_REASONS, outcomeReason } from '../common/i18n/outcomes.js';
import { fixedClock, NOW, seedState } from './helpers/cli-fixtures.js';
import { runLoa } from './helpers/cli-run.js';
import { startStandinHub, type StandinHub } from './helpers/cli-standin-hub.js';
import { makeTempDir } from './helpers/tmp.js';

describe('the outcome reasons', () => {
  it('cover every reason docs/errors.md lists, in both languages', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const section = doc.slice(doc.indexOf('## Per-cluster broadcast outcomes'), doc.indexOf('## MQTT connection refusals'));
    const listed = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(15);
    for (const r of listed) {
      expect(Object.keys(OUTCOME_REASONS.en), r).toContain(r);
      expect(OUTCOME_REASONS.vi[r as keyof typeof OUTCOME_REASONS.vi], r).toBeTruthy();
    }
    expect(outcomeReason('vi', 'preempted-by-emergency')).toBe('bị phát khẩn cấp ngắt');
    expect(outcomeReason('vi', 'teleported')).toBe('teleported');
    expect(outcomeReason('vi', 'constructor')).toBe('constructor');
  });
});

describe('loa log in Vietnamese', () => {
  let hub: StandinHub;
  const dir = makeTempDir('loa-outcomes-');
  beforeAll(async () => {
    hub = await startStandinHub({ tokens: ['op-token'], state: seedState(), now: NOW });
  });
  afterAll(async () => {
    await hub.close();
    dir.remove();
  });

  it('words the reasons it knows and keeps the ones it does not', async () => {
    const r = await runLoa(['--hub', hub.url, '--token', 'op-token', '--lang', 'vi', 'log', '--from', '2025-03-01', '--to', '2025-03-01'], {
      cwd: dir.path,
      clock: fixedClock,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('quá hạn');
    expect(r.stdout).not.toMatch(/│ expired/);
    // The fixture's "player" is no reason of the protocol: shown as it came, with its detail.
    expect(r.stdout).toContain('player: ffmpeg exited 1');
  });
});
