// The `loa` commands run in-process (runCli) against the stand-in hub of
// tests/helpers/cli-standin-hub.ts (the real hub's HTTP API is being built beside this CLI):
// what each command sends, --json shapes, tables, CSV, the language switch and usage errors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { fixedClock, MEDIA_ID, NOW, seedState } from './helpers/cli-fixtures.js';
import { runLoa, type LoaRun } from './helpers/cli-run.js';
import { startStandinHub, type StandinHub } from './helpers/cli-standin-hub.js';
import { makeTempDir } from './helpers/tmp.js';

let hub: StandinHub;
let dir: { path: string; remove(): void };

beforeAll(() => {
  dir = makeTempDir('loa-cli-');
});
afterAll(() => dir.remove());
beforeEach(async () => {
  hub = await startStandinHub({ tokens: ['op-token'], state: seedState(), now: NOW });
});
afterEach(() => hub.close());

function loa(args: string[], env: Record<string, string> = {}): Promise<LoaRun> {
  return runLoa(['--hub', hub.url, '--token', 'op-token', ...args], { cwd: dir.path, env, clock: fixedClock });
}

const lastBody = (): Record<string, unknown> => JSON.parse(hub.requests.at(-1)!.body.toString('utf8')) as Record<string, unknown>;

describe('clusters', () => {
  test('add prints the secret once with a warning; --json prints {id, secret}', async () => {
    const human = await loa(['clusters', 'add', 'na-hu', '--name', 'Nà Hu', '--village', 'Bản Nà Hu']);
    expect(human.code).toBe(0);
    expect(lastBody()).toEqual({ id: 'na-hu', name: 'Nà Hu', village: 'Bản Nà Hu' });
    expect(human.stdout).toContain('secret-for-na-hu');
    expect(human.stdout).toMatch(/not shown again/);

    const json = await loa(['clusters', 'add', 'pa-te', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ id: 'pa-te', secret: 'secret-for-pa-te' });
    expect(lastBody()).toEqual({ id: 'pa-te' });
  });

  test('list and show render the clusters as tables', async () => {
    const list = await loa(['clusters', 'list']);
    expect(list.stdout).toMatch(/ban-hon.*Bản Hon.*online.*3 min ago/);
    expect(list.stdout).toMatch(/lang-cang.*offline.*2 h ago/);
    const show = await loa(['clusters', 'show', 'ban-hon']);
    expect(show.stdout).toMatch(/Temperature\s*│\s*52\.3 °C/);
    expect(show.stdout).toMatch(/Playing\s*│\s*Bản tin sáng/);
  });

  test('remove --json prints {removed}; rotate-secret prints the new secret', async () => {
    const removed = await loa(['clusters', 'remove', 'lang-cang', '--json']);
    expect(JSON.parse(removed.stdout)).toEqual({ removed: 'lang-cang' });
    expect(hub.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/clusters/lang-cang' });
    const rotated = await loa(['clusters', 'rotate-secret', 'ban-hon', '--json']);
    expect(JSON.parse(rotated.stdout)).toEqual({ id: 'ban-hon', secret: 'rotated-ban-hon' });
  });

  test('volume sends 0–100 and refuses anything else before any request', async () => {
    expect((await loa(['clusters', 'volume', 'ban-hon', '60'])).code).toBe(0);
    expect(lastBody()).toEqual({ volume: 60 });
    const before = hub.requests.length;
    const bad = await loa(['clusters', 'volume', 'ban-hon', '101']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/0 to 100/);
    expect(hub.requests.length).toBe(before);
  });

  test('a hub error becomes one line with its code and exit 1', async () => {
    const r = await loa(['clusters', 'show', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: cluster nope does not exist; `loa clusters list` shows the ids. [LOA_CLUSTER_NOT_FOUND]\n');
    expect(r.stdout).toBe('');
  });
});

describe('status and language', () => {
  test('status: one row per cluster and the online summary', async () => {
    const r = await loa(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ban-hon.*Bản Hon.*online.*3 min ago.*Bản tin sáng.*80.*52\.3 °C.*0\.42/);
    expect(r.stdout).toMatch(/lang-cang.*offline.*2 h ago.*amplifier overheat/);
    expect(r.stdout).toContain('1 of 2 clusters online');
    const json = JSON.parse((await loa(['status', '--json'])).stdout) as { clusters: unknown[] };
    expect(json.clusters).toHaveLength(2);
  });

  test('--lang vi, LOA_LANG and LANG=vi_VN give Vietnamese headers and words; --lang en wins', async () => {
    const vi = await loa(['status', '--lang', 'vi']);
    for (const word of ['Cụm loa', 'Thôn/bản', 'Trực tuyến', 'Ngoại tuyến', 'Đang phát', 'Âm lượng', 'Nhiệt độ', '3 phút trước', '1/2 cụm loa trực tuyến']) {
      expect(vi.stdout).toContain(word);
    }
    expect(vi.stdout).not.toContain('Temperature');
    expect((await loa(['status'], { LOA_LANG: 'vi' })).stdout).toContain('Nhiệt độ');
    expect((await loa(['status'], { LANG: 'vi_VN.UTF-8' })).stdout).toContain('Nhiệt độ');
    const en = await loa(['status', '--lang', 'en'], { LANG: 'vi_VN.UTF-8' });
    expect(en.stdout).toContain('Temperature');
    expect(en.stdout).not.toContain('Nhiệt độ');
    const err = await loa(['clusters', 'volume', 'x', '500', '--lang', 'vi']);
    expect(err.stderr).toMatch(/^lỗi: âm lượng "500"/);
  });
});

describe('broadcast', () => {
  test('play resolves media by exact name, sends clusters and a start time in the hub time zone', async () => {
    const r = await loa(['broadcast', 'play', '--media', 'Bản tin sáng', '--clusters', 'ban-hon, lang-cang', '--at', '17:00', '--volume', '70', '--json']);
    expect(r.code).toBe(0);
    // 17:00 in Asia/Ho_Chi_Minh on 2025-03-01 is 10:00 UTC.
    expect(lastBody()).toEqual({ mediaId: MEDIA_ID, clusters: ['ban-hon', 'lang-cang'], startAt: Date.UTC(2025, 2, 1, 10), volume: 70 });
    expect(JSON.parse(r.stdout).broadcast.targets).toHaveLength(2);
  });

  test('play takes a unique id prefix, refuses an ambiguous one, and needs --clusters or --all', async () => {
    expect((await loa(['broadcast', 'play', '--media', 'ab12', '--all'])).code).toBe(0);
    expect(lastBody()).toEqual({ mediaId: MEDIA_ID, all: true });
    const ambiguous = await loa(['broadcast', 'play', '--media', 'ab', '--all']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/matches several media/);
    const before = hub.requests.length;
    const neither = await loa(['broadcast', 'play', '--media', 'ab12']);
    expect([neither.code, hub.requests.length]).toEqual([2, before]);
    expect(neither.stderr).toMatch(/--clusters A,B or --all/);
    expect((await loa(['broadcast', 'play', '--media', 'ab12', '--all', '--clusters', 'a'])).code).toBe(2);
  });

  test('show prints the per-cluster targets; list and stop send what the contract says', async () => {
    const show = await loa(['broadcast', 'show', 'b1']);
    expect(show.stdout).toMatch(/ban-hon\s*│\s*started\s*│\s*09:59:01\s*│\s*09:59:02/);
    expect(show.stdout).toMatch(/lang-cang\s*│\s*offline.*cluster was offline when due/);
    await loa(['broadcast', 'list', '--limit', '5']);
    expect(hub.requests.at(-1)!.query.get('limit')).toBe('5');
    const stop = await loa(['broadcast', 'stop', '--clusters', 'ban-hon', '--json']);
    expect(lastBody()).toEqual({ clusters: ['ban-hon'] });
    expect(JSON.parse(stop.stdout)).toEqual({ stopped: [{ broadcastId: 'b1', clusterId: 'ban-hon' }] });
    await loa(['broadcast', 'stop']);
    expect(lastBody()).toEqual({ all: true });
  });
});

describe('log', () => {
  test('dates are whole days in Asia/Ho_Chi_Minh: from inclusive, to through the end of its day', async () => {
    const r = await loa(['log', '--from', '2025-03-01', '--to', '2025-03-01', '--json']);
    const q = hub.requests.at(-1)!.query;
    expect(Number(q.get('from'))).toBe(Date.UTC(2025, 1, 28, 17));
    expect(Number(q.get('to'))).toBe(Date.UTC(2025, 2, 1, 17) - 1);
    const entries = (JSON.parse(r.stdout) as { entries: Array<{ broadcastId: string }> }).entries;
    expect(entries.map((e) => e.broadcastId)).toEqual(['b1', 'b1', 'b2']);
    await loa(['log', '--from', '2025-03-01', '--tz', 'UTC', '--cluster', 'ban-hon']);
    expect(Number(hub.requests.at(-1)!.query.get('from'))).toBe(Date.UTC(2025, 2, 1));
    expect(hub.requests.at(-1)!.query.get('cluster')).toBe('ban-hon');
  });

  test('--csv quotes commas, quotes and newlines (RFC 4180) and gives ISO times with the offset', async () => {
    const r = await loa(['log', '--from', '2025-03-01', '--to', '2025-03-01', '--csv']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n');
    // The columns of issue 2 first, then those the schedules issue added (empty from a hub without them).
    expect(lines[0]).toBe(
      'broadcast_id,cluster_id,media_id,media_name,planned_start,status,reason,detail,accepted_at,started_at,finished_at,played_s,' +
        'planned_end,outcome,kind,priority,programme_id,programme_name',
    );
    expect(lines[1]).toBe(
      `b1,ban-hon,${MEDIA_ID},"Bản tin ""sáng"", số ` +
        `1",2025-03-01T05:00:00+07:00,finished,,,2025-03-01T05:00:01+07:00,2025-03-01T05:00:02+07:00,2025-03-01T05:01:37+07:00,95.0,,,,,,`,
    );
    expect(r.stdout).toContain('failed,player,"ffmpeg exited 1\nno such device",');
    expect(r.stdout.endsWith('\r\n')).toBe(true);
  });

  test('table output lists the outcomes; a bad date is a usage error', async () => {
    const r = await loa(['log', '--lang', 'vi']);
    expect(r.stdout).toMatch(/2025-03-01 05:00.*lang-cang.*lỗi/);
    expect(r.stdout).toContain('Giờ dự kiến');
    const bad = await loa(['log', '--from', '1 March']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"1 March" is not a date/);
    expect((await loa(['log', '--tz', 'Mars/Olympus'])).code).toBe(2);
  });
});

describe('media', () => {
  test('add on a terminal redraws one progress line in place', async () => {
    const path = join(dir.path, 'tone.mp3');
    writeFileSync(path, Buffer.alloc(200_000, 3));
    const r = await runLoa(['--hub', hub.url, '--token', 'op-token', 'media', 'add', 'tone.mp3'], { cwd: dir.path, tty: true, clock: fixedClock });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('\r\x1b[2KUploading 100%');
    expect(r.stderr).toContain('\r\x1b[2KEncoding 100%');
    // One line in all: the redraws end with a single newline.
    expect(r.stderr.split('\n')).toEqual([expect.any(String), '']);
    expect(r.stdout).toMatch(/Media "tone.mp3" imported/);
  });

  test('list shows short ids; remove takes an exact name', async () => {
    expect((await loa(['media', 'list'])).stdout).toMatch(/ab12cd340000 .*Bản tin sáng.*1:35.*1\.4 MB/);
    const r = await loa(['media', 'remove', 'Nhạc hiệu', '--json']);
    expect(hub.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/api/v1/media/${'ab99ef00'.padEnd(64, '1')}` });
    expect(JSON.parse(r.stdout)).toEqual({ removed: 'ab99ef00'.padEnd(64, '1') });
    const missing = await loa(['media', 'remove', 'Không có']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no media matches "Không có"/);
  });
});

describe('tokens', () => {
  test('add, list and remove', async () => {
    const added = await loa(['tokens', 'add', '--role', 'police', '--name', 'Công an xã', '--json']);
    expect(lastBody()).toEqual({ role: 'police', name: 'Công an xã' });
    expect(JSON.parse(added.stdout).secret).toBe('tok-secret');
    expect((await loa(['tokens', 'list'])).stdout).toMatch(/t2.*Công an xã.*police/);
    expect(JSON.parse((await loa(['tokens', 'remove', 't2', '--json'])).stdout)).toEqual({ removed: 't2' });
    expect((await loa(['tokens', 'add', '--role', 'admin', '--name', 'x'])).code).toBe(2);
  });
});
