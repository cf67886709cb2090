// The fake-microphone command of docs/live.md, run as written (by sh, `loa` on the PATH) against a
// real hub and a real loa-edge child process: the tone is pushed in real time for its four
// seconds, the box plays it, and nothing fails or raises an alarm.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { micInput } from '../cli/commands/announce/live.js';
import type { EdgeProcess } from '../harness/edge-process.js';
import { spawnEdgeWithCa as spawnEdge } from './helpers/edge-process.js';
import { decodedDurationS } from './helpers/audio.js';
import { LOA_BIN, REPO } from './helpers/cli-run.js';
import { startTestHub, waitFor, type TestHub } from './helpers/hub.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-mic-doc-');
let t: TestHub;
let edge: EdgeProcess;

/** The doc's command: the line of a sh block that sets LOA_MIC_INPUT. */
function documentedCommand(): string {
  const doc = readFileSync(join(REPO, 'docs', 'live.md'), 'utf8');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const line = blocks.flatMap((b) => b.split('\n')).find((l) => l.startsWith('LOA_MIC_INPUT='));
  if (!line) throw new Error('docs/live.md has no LOA_MIC_INPUT=… command');
  return line;
}

function sh(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: tmp.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  t = await startTestHub();
  const { secret } = await t.addCluster('mic-box', { village: 'Bản Thử' });
  edge = spawnEdge({
    hubKeys: t.hub.hubKeys(),
    clusterId: 'mic-box',
    secret,
    mqttUrl: t.addresses.mqttUrl,
    httpUrl: t.addresses.httpUrl,
    dir: join(tmp.path, 'mic-box'),
    logLevel: 'warn',
    healthIntervalSec: 1,
  });
  await waitFor(() => t.hub.store.clusters.get('mic-box')?.online, { what: 'loa-edge online', timeoutMs: 20_000 });
});
afterAll(async () => {
  await edge?.stop();
  await t?.stop();
  tmp.remove();
});

describe('docs/live.md: the fake microphone', () => {
  test('LOA_MIC_INPUT="-f lavfi -i sine=f=330" loa announce --mic --duration 4 --all: four seconds on air, played, no alarm', async () => {
    const bin = join(tmp.path, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'loa'), `#!/bin/sh\nexec "${process.execPath}" "${LOA_BIN}" "$@"\n`);
    chmodSync(join(bin, 'loa'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, LOA_HUB: t.addresses.httpUrl, LOA_TOKEN: t.token, LOA_LANG: 'en' };
    delete env.LOA_MIC_INPUT;

    const r = await sh(documentedCommand(), env);
    expect(r.code, r.stderr).toBe(0);
    const m = /Live announcement (live-[0-9a-f]+) on 1 cluster\(s\) ended after (\d+\.\d) s \(ended\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    // Before the fix the tone was read in milliseconds, the stream was over before the box
    // joined (its player got 404 three times: play-failed), and this said "after 0.4 s".
    const seconds = Number(m![2]);
    expect(seconds).toBeGreaterThanOrEqual(3.8);
    expect(seconds).toBeLessThan(5);
    const id = m![1]!;
    const row = await waitFor(
      () => {
        const b = t.hub.store.broadcasts.get(id);
        return b?.targets.every((x) => !['pending', 'sent', 'accepted', 'started'].includes(x.status)) ? b : undefined;
      },
      { what: 'the push closed on the box' },
    );
    expect(row.targets.map((x) => [x.clusterId, x.status])).toEqual([['mic-box', 'finished']]);
    const alarms = await t.api<{ alarms: { kind: string; subject: string }[] }>('GET', '/api/v1/alarms');
    expect(alarms.body.alarms).toEqual([]);

    // What the box played: about the four seconds of tone (its file sink keeps the audio).
    const files = readdirSync(edge.sinkDir).filter((f) => f.includes(id));
    expect(files, readdirSync(edge.sinkDir).join(', ')).toHaveLength(1);
    expect(decodedDurationS(join(edge.sinkDir, files[0]!))).toBeGreaterThan(2.5);
  }, 60_000);
});

describe('which inputs loa paces', () => {
  test('a generator or a file gets -re once; a capture device and the real microphone do not', () => {
    expect(micInput(undefined, { LOA_MIC_INPUT: '-f lavfi -i sine=f=330' })).toEqual(['-re', '-f', 'lavfi', '-i', 'sine=f=330']);
    expect(micInput(undefined, { LOA_MIC_INPUT: '-i /tmp/loi-nhan.wav' })).toEqual(['-re', '-i', '/tmp/loi-nhan.wav']);
    expect(micInput(undefined, { LOA_MIC_INPUT: '-re -f lavfi -i sine=f=500' })).toEqual(['-re', '-f', 'lavfi', '-i', 'sine=f=500']);
    expect(micInput(undefined, { LOA_MIC_INPUT: '-f pulse -i default' })).toEqual(['-f', 'pulse', '-i', 'default']);
    expect(micInput('hw:1,0', {})).toEqual(['-f', 'alsa', '-i', 'hw:1,0']);
  });
});
