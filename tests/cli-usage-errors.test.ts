// Exit statuses as docs/operator.md promises them: a value the command line itself shows to be
// wrong is a usage error (exit 2, a LOA_CLI_ code, nothing sent to the hub); what only the hub can
// know (an id that does not exist) is exit 1. The real `node bin/loa.js` against a real hub.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LoaRun } from './helpers/cli-run.js';
import { useTuLeCli } from './helpers/cli-tu-le.js';

const cli = useTuLeCli({ prefix: 'loa-usage-' });
const loa = (args: string[]) => cli.loa(args);
const loaVi = (args: string[]) => cli.loaVi(args);

/** Exit 2, one line on stderr ending with the code, nothing on stdout. */
function usage(r: LoaRun, code: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(new RegExp(`\\[${code}\\]$`));
}

describe('a bad value on the command line is exit 2, before the hub is asked', () => {
  test('clusters add "Bản Mới": not an id; the message suggests one; nothing is added', async () => {
    const r = await loa(['clusters', 'add', 'Bản Mới']);
    usage(r, 'LOA_CLI_BAD_ID');
    expect(r.stderr).toContain('"Bản Mới" is not a valid cluster id');
    expect(r.stderr).toContain('ban-moi');
    const vi = await loaVi(['clusters', 'add', 'Bản Mới']);
    usage(vi, 'LOA_CLI_BAD_ID');
    expect(vi.stderr).toMatch(/^lỗi: "Bản Mới" không phải mã cụm loa hợp lệ/);
    expect(cli.t.hub.store.clusters.list().map((c) => c.id)).not.toContain('ban-moi');
  });

  test("the other cluster commands check the id too; a well-formed unknown id stays the hub's exit 1", async () => {
    usage(await loa(['clusters', 'volume', 'Bản Mới', '50']), 'LOA_CLI_BAD_ID');
    usage(await loa(['clusters', 'show', 'ban moi']), 'LOA_CLI_BAD_ID');
    usage(await loa(['clusters', 'remove', '']), 'LOA_CLI_BAD_ID');
    const unknown = await loa(['clusters', 'show', 'ban-hom']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/\[LOA_CLUSTER_NOT_FOUND\]$/m);
  });

  test('too long a name or village, an empty token name', async () => {
    usage(await loa(['clusters', 'add', 'ban-dai', '--village', 'x'.repeat(101)]), 'LOA_CLI_BAD_TEXT');
    usage(await loa(['tokens', 'add', '--role', 'police', '--name', '']), 'LOA_CLI_BAD_TEXT');
    expect(cli.t.hub.store.clusters.list().map((c) => c.id)).not.toContain('ban-dai');
  });

  test('an empty --broadcast or --id does not mean "stop everything"', async () => {
    const at = await loa(['broadcast', 'play', '--media', 'thong-bao', '--clusters', 'ban-luot', '--at', '23:59', '--json']);
    expect(at.code, at.stderr).toBe(0);
    const id = (JSON.parse(at.stdout) as { broadcast: { id: string } }).broadcast.id;
    usage(await loa(['broadcast', 'stop', '--broadcast', '']), 'LOA_CLI_BAD_TEXT');
    expect(cli.t.hub.store.broadcasts.get(id)!.stoppedAt).toBeNull();
    expect(cli.t.hub.store.broadcasts.get(id)!.targets[0]!.status).toBe('pending');

    const e = cli.t.hub.schedules.startEmergency({
      zones: ['ban-luot'],
      mediaId: cli.t.hub.store.media.list().find((m) => m.name === 'thong-bao')!.id,
      repeat: false,
      volume: null,
      by: 'test',
    });
    usage(await loa(['emergency', 'stop', '--id', '']), 'LOA_CLI_BAD_TEXT');
    expect(cli.t.hub.store.schedules.activeEmergencies().map((x) => x.id)).toEqual([e.id]);
    cli.t.hub.schedules.stopEmergency('test');
    usage(await loa(['broadcast', 'show', ' ']), 'LOA_CLI_BAD_TEXT');
    // An empty --media was a prefix of every id: with one item in the library, it played that.
    usage(await loa(['broadcast', 'play', '--media', '', '--all']), 'LOA_CLI_BAD_TEXT');
    usage(await loa(['emergency', 'start', '--media', '', '--all']), 'LOA_CLI_BAD_TEXT');
    usage(await loa(['log', '--cluster', '']), 'LOA_CLI_BAD_TEXT');
    usage(await loa(['schedule', 'plan', '--cluster', '']), 'LOA_CLI_BAD_TEXT');
  });

  test('broadcast relay with something that is not an http(s) address', async () => {
    const r = await loa(['broadcast', 'relay', 'radio-vov1', '--all']);
    usage(r, 'LOA_CLI_BAD_URL');
    expect(r.stderr).toContain('"radio-vov1"');
    expect(cli.t.hub.live.list()).toHaveLength(0);
  });

  test('cameras add: id, host, path and user are checked here; discover --range too', async () => {
    const base = ['--host', '192.168.1.64', '--user', 'admin', '--password', 'x'];
    usage(await loa(['cameras', 'add', 'Cam 1', ...base]), 'LOA_CLI_BAD_ID');
    usage(await loa(['cameras', 'add', 'cam-1', ...base, '--host', 'cam era!']), 'LOA_CLI_BAD_HOST');
    usage(await loa(['cameras', 'add', 'cam-1', ...base, '--path', 'onvif']), 'LOA_CLI_BAD_PATH');
    usage(await loa(['cameras', 'add', 'cam-1', ...base, '--user', 'ad:min']), 'LOA_CLI_BAD_USER');
    usage(await loa(['cameras', 'snapshot', 'Cam 1']), 'LOA_CLI_BAD_ID');
    usage(await loa(['cameras', 'discover', '--range', '192.168.1.x', '--no-multicast']), 'LOA_CLI_BAD_ADDRESS_RANGE');
    usage(await loa(['cameras', 'discover', '--range', '10.0.0.0/8', '--no-multicast']), 'LOA_CLI_BAD_ADDRESS_RANGE');
    expect(cli.t.hub.cameras.list()).toHaveLength(0);
  });

  test('media add --name "" and announce --voice "" are refused before any upload', async () => {
    const wav = join(cli.dir, 'x.wav');
    writeFileSync(wav, 'RIFF');
    const media = await loa(['media', 'add', wav, '--name', '']);
    usage(media, 'LOA_CLI_BAD_TEXT');
    usage(await loa(['announce', '--text', 'Xin chào', '--voice', '', '--all']), 'LOA_CLI_BAD_TEXT');
  });
});
