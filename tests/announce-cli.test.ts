// `loa announce` as the real child process (node bin/loa.js, from dist/) against a real test hub:
// --text creates a broadcast, --file uploads with progress, --emergency starts an emergency, and
// a live announcement with options it cannot have, and bad usage, give clear errors and exit statuses, in English and Vietnamese.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from './helpers/audio.js';
import { runLoa, spawnLoa } from './helpers/cli-run.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

describe.runIf(requireTool('espeak-ng'))('loa announce', () => {
  let t: TestHub;
  const tmp = makeTempDir('loa-announce-cli-');
  let base: string[];
  beforeAll(async () => {
    t = await startTestHub();
    await t.addCluster('ban-a');
    await t.addCluster('ban-b');
    base = ['--hub', t.addresses.httpUrl, '--token', t.token];
  });
  afterAll(async () => {
    await t?.stop();
    tmp.remove();
  });

  it('--text reads the notice out and creates a broadcast (child process, --json)', async () => {
    const r = await spawnLoa(
      [...base, '--json', 'announce', '--text', 'Thông báo: chiều nay 17 giờ họp dân tại nhà văn hoá bản.', '--chime', '--clusters', 'ban-a'],
      { cwd: tmp.path },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { broadcast: { id: string; targets: { clusterId: string }[] }; media: { name: string } };
    expect(out.broadcast.targets.map((x) => x.clusterId)).toEqual(['ban-a']);
    expect(out.media.name).toContain('Thông báo');
    const b = await t.api<{ broadcast: { id: string; mediaId: string } }>('GET', `/api/v1/broadcasts/${out.broadcast.id}`);
    expect(b.status).toBe(200);
  });

  it('--file uploads with progress on stderr and plays on all clusters', async () => {
    const file = makeTone(join(tmp.path, 'thong-bao.mp3'), 2);
    const r = await spawnLoa([...base, '--lang', 'en', 'announce', '--file', file, '--all'], { cwd: tmp.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Upload/);
    expect(r.stdout).toMatch(/Announcement on air as broadcast b-[0-9a-f]+ on 2 cluster\(s\)/);
    expect(r.stdout).toContain('thong-bao.mp3');
  });

  it('--emergency starts an emergency (Vietnamese output)', async () => {
    const r = await runLoa([...base, '--lang', 'vi', 'announce', '--text', 'Cảnh báo lũ quét, di chuyển lên vùng cao.', '--emergency', '--all'], {
      cwd: tmp.path,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/KHẨN CẤP e-[0-9a-f]+ .* 2 cụm loa/);
    const active = await t.api<{ active: unknown[] }>('GET', '/api/v1/emergency');
    expect(active.body.active).toHaveLength(1);
    await t.api('POST', '/api/v1/emergency/stop', {});
  });

  it('a live announcement with a voice is refused; bad usage exits 2; hub refusals exit 1', async () => {
    // --mic itself is tested in live-push.test.ts (with a fake capture input: no sound card here).
    const mic = await runLoa([...base, '--lang', 'en', 'announce', '--mic', '--voice', 'vi', '--all'], { cwd: tmp.path });
    expect(mic.code).toBe(2);
    expect(mic.stderr).toContain('LOA_CLI_ANNOUNCE_LIVE');
    const none = await runLoa([...base, '--lang', 'en', 'announce', '--all'], { cwd: tmp.path });
    expect(none.code).toBe(2);
    const both = await runLoa([...base, '--lang', 'en', 'announce', '--text', 'a', '--file', 'x.wav', '--all'], { cwd: tmp.path });
    expect(both.code).toBe(2);
    const where = await runLoa([...base, '--lang', 'en', 'announce', '--text', 'xin chào'], { cwd: tmp.path });
    expect(where.code).toBe(2);
    const unknown = await runLoa([...base, '--lang', 'en', 'announce', '--text', 'xin chào', '--clusters', 'ban-z'], { cwd: tmp.path });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('ban-z');
  });
});
