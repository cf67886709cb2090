// A text announcement is encoded in one ffmpeg run at the level learned for its voice (issue 13,
// item 19: the measured import took 3-4 ffmpeg runs while the operator waited). The first one of
// a voice measures the speech (and the chime) first; every one is measured afterwards and the
// voice's gain follows. Real hub, real espeak-ng, real ffmpeg behind a wrapper that logs each run;
// the stored files are measured with ffmpeg's ebur128 meter.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../common/ffmpeg.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { measureLoudness } from './helpers/media-audio.js';
import { makeTempDir } from './helpers/tmp.js';
import { requireTool } from './helpers/tools.js';

const TEXT = 'Thông báo của Ủy ban nhân dân xã: chiều nay lúc mười bảy giờ, mời bà con đến nhà văn hoá thôn để họp bàn về phòng chống lụt bão.';
const OTHER = 'Loa xã xin thông báo: sáng mai tiêm phòng cho trâu bò tại nhà văn hoá bản.';
type Answer = { media: { id: string; durationMs: number }; broadcast: { id: string } };

describe.runIf(requireTool('espeak-ng'))('announcements encoded in one pass at a learned level', () => {
  let t: TestHub;
  const tmp = makeTempDir('loa-levels-');
  const runs = join(tmp.path, 'runs.log');
  const real = locateFfmpeg().path;
  const runCount = () => (existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n').filter(Boolean) : []);

  beforeAll(async () => {
    // The hub's ffmpeg: the real one, behind a wrapper that writes one line per run.
    const wrapper = join(tmp.path, 'ffmpeg');
    writeFileSync(
      wrapper,
      `#!/bin/sh\ncase "$*" in *libopus*) echo encode >> "${runs}";; *print_format=json*) echo measure >> "${runs}";; *) echo other >> "${runs}";; ` +
        `esac\nexec "${real}" "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    t = await startTestHub({ config: { ffmpeg: { path: wrapper } } });
    await t.addCluster('ban-a');
  });
  afterAll(async () => {
    await t?.stop();
    tmp.remove();
  });

  it('the first of a voice measures speech and chime once, then encodes once; the result is at the target', async () => {
    const r = await t.api<Answer>('POST', '/api/v1/announcements', { text: TEXT, clusters: ['ban-a'], chime: true });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // Before the answer: making the chime (other), measuring speech and chime, one encode; after
    // it, the check of the stored file.
    await waitFor(() => runCount().filter((x) => x === 'measure').length === 3, { what: 'the background check', timeoutMs: 15_000 });
    expect(runCount().filter((x) => x === 'encode')).toHaveLength(1);
    const levels = JSON.parse(readFileSync(join(t.dataDir, 'announce', 'speech-levels.json'), 'utf8')) as Record<string, { gainDb: number; samples: number }>;
    expect(Object.keys(levels).sort()).toEqual(['chime chime-v1', 'tts espeak vi']);

    const m = measureLoudness(t.hub.media.filePath(r.body.media.id)!);
    expect(Math.abs(m.integratedLufs - -16), `integrated ${m.integratedLufs} LUFS`).toBeLessThan(1.5);
    expect(m.truePeakDbtp, `true peak ${m.truePeakDbtp}`).toBeLessThanOrEqual(-1);
  });

  it('the next one is one ffmpeg run before the answer, and it is at the target too', async () => {
    await waitFor(() => runCount().filter((x) => x === 'measure').length === 3, { what: 'first check done', timeoutMs: 15_000 });
    const before = runCount().length;
    const r = await t.api<Answer>('POST', '/api/v1/announcements', { text: OTHER, clusters: ['ban-a'], chime: true });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await waitFor(() => runCount().length === before + 2, { what: 'encode and check', timeoutMs: 15_000 });
    expect(runCount().slice(before)).toEqual(['encode', 'measure']);
    const m = measureLoudness(t.hub.media.filePath(r.body.media.id)!);
    expect(Math.abs(m.integratedLufs - -16), `integrated ${m.integratedLufs} LUFS`).toBeLessThan(1.5);
    expect(m.truePeakDbtp, `true peak ${m.truePeakDbtp}`).toBeLessThanOrEqual(-1);
  });
});
