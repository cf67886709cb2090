// The box's own play log (<dataDir>/playlog.jsonl): one fsync'd line per item, still there after a
// restart, sent in batches of at most 200, and removed only once the message carrying it is
// confirmed; a torn last line from a power cut costs only that line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { PlayLogFile } from '../daemon/offline/play-log.js';
import type { PlayLog, PlayLogEntry } from '../protocol/index.js';
import { makeTempDir } from './helpers/tmp.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});
function dir(): string {
  const d = makeTempDir('loa-play-log-');
  dirs.push(d);
  return d.path;
}

function entry(n: number): PlayLogEntry {
  return { broadcastId: `s-${n}`, startedAt: 1_000 + n, endedAt: 61_000 + n, startOffsetMs: 0, positionMs: 60_000, outcome: 'finished' };
}
const lines = (d: string) =>
  readFileSync(join(d, 'playlog.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** A send whose confirmation the test gives (or refuses) by hand, like a broker's PUBACK. */
function gatedSend() {
  const sent: PlayLog[] = [];
  const gates: { ok: () => void; fail: (e: Error) => void }[] = [];
  const send = (log: PlayLog) =>
    new Promise<void>((ok, fail) => {
      sent.push(log);
      gates.push({ ok, fail });
    });
  return { sent, gates, send };
}

describe('PlayLogFile', () => {
  it('appends one line per item and has them again after a restart', async () => {
    const d = dir();
    const log = new PlayLogFile(d, silentLogger());
    await log.append(entry(1));
    await log.append(entry(2));
    expect(lines(d).map((l) => JSON.parse(l) as PlayLogEntry)).toEqual([entry(1), entry(2)]);
    const again = new PlayLogFile(d, silentLogger());
    expect(again.pending).toEqual([entry(1), entry(2)]);
  });

  it('removes entries only once their message is confirmed, and keeps them when it is not', async () => {
    const d = dir();
    const log = new PlayLogFile(d, silentLogger());
    await log.append(entry(1));
    const g = gatedSend();
    const run = log.send(g.send);
    await new Promise((r) => setImmediate(r));
    expect(g.sent).toEqual([{ v: 1, entries: [entry(1)] }]);
    // Sent but not confirmed: a restart now would still have it.
    await log.append(entry(2));
    expect(new PlayLogFile(d, silentLogger()).pending).toHaveLength(2);
    // The connection goes before the PUBACK: kept.
    g.gates[0]!.fail(new Error('the connection closed before the PUBACK'));
    await run;
    expect(log.pending).toEqual([entry(1), entry(2)]);
    expect(lines(d)).toHaveLength(2);

    // After reconnecting: sent again (with the entry added meanwhile), confirmed, removed.
    const g2 = gatedSend();
    const run2 = log.send(g2.send);
    await new Promise((r) => setImmediate(r));
    expect(g2.sent[0]!.entries).toEqual([entry(1), entry(2)]);
    g2.gates[0]!.ok();
    await run2;
    expect(log.pending).toEqual([]);
    expect(readFileSync(join(d, 'playlog.jsonl'), 'utf8')).toBe('');
    expect(new PlayLogFile(d, silentLogger()).pending).toEqual([]);
  });

  it('sends in batches of at most 200, oldest first, and keeps an entry logged during the send', async () => {
    const d = dir();
    const log = new PlayLogFile(d, silentLogger());
    for (let i = 0; i < 250; i++) await log.append(entry(i));
    const g = gatedSend();
    const run = log.send(g.send);
    await new Promise((r) => setImmediate(r));
    expect(g.sent[0]!.entries).toHaveLength(200);
    expect(g.sent[0]!.entries[0]).toEqual(entry(0));
    const late = log.append(entry(999));
    g.gates[0]!.ok();
    await late;
    await new Promise((r) => setTimeout(r, 20));
    expect(g.sent[1]!.entries.map((e) => e.broadcastId)).toEqual([...Array.from({ length: 50 }, (_, i) => `s-${200 + i}`), 's-999']);
    // Between the two confirmations the file holds exactly what is unconfirmed.
    expect(new PlayLogFile(d, silentLogger()).pending).toHaveLength(51);
    g.gates[1]!.ok();
    await run;
    expect(log.pending).toEqual([]);
    expect(new PlayLogFile(d, silentLogger()).pending).toEqual([]);
  });

  it('drops a torn last line (power cut mid-append) and keeps the next append whole', async () => {
    const d = dir();
    writeFileSync(join(d, 'playlog.jsonl'), `${JSON.stringify(entry(1))}\n${JSON.stringify(entry(2)).slice(0, 30)}`);
    const log = new PlayLogFile(d, silentLogger());
    expect(log.pending).toEqual([entry(1)]);
    await log.append(entry(3));
    expect(new PlayLogFile(d, silentLogger()).pending).toEqual([entry(1), entry(3)]);
  });
});
