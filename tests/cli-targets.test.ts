// Where a broadcast goes, by the names an operator uses: cluster ids, zones of the schedule in force
// (`na-long`) and villages (`Bản Nà Lóng`, also typed without marks), wherever clusters are chosen:
// broadcast play/stop/relay, announce (an imported file and a live push) and emergency start. The
// hub resolves them in one place; an unknown name and a name that means two different sets of
// clusters are errors naming it. The real `node bin/loa.js` against a real hub with the Tú Lệ
// clusters and schedule (no boxes: nothing needs to play).
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { makeTone } from './helpers/audio.js';
import { spawnLoa } from './helpers/cli-run.js';
import { useTuLeCli } from './helpers/cli-tu-le.js';

const cli = useTuLeCli({ prefix: 'loa-targets-', schedule: true });
const loa = (args: string[]) => cli.loa(args);
const loaVi = (args: string[]) => cli.loaVi(args);

/** `broadcast play` later today (its targets stay pending), answering the clusters it went to. */
async function playOn(...where: string[]): Promise<string[]> {
  const r = await loa(['broadcast', 'play', '--media', 'thong-bao', ...where, '--at', '23:59', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { broadcast: { targets: { clusterId: string }[] } }).broadcast.targets.map((x) => x.clusterId).sort();
}

describe('broadcast play takes zones and villages', () => {
  test('--clusters na-long (a zone of the schedule) plays on both Nà Lóng clusters', async () => {
    expect(await playOn('--clusters', 'na-long')).toEqual(['na-long-1', 'na-long-2']);
  });

  test('--zones, with several names and a cluster id mixed in', async () => {
    expect(await playOn('--zones', 'lim-thai,ban-luot')).toEqual(['ban-luot', 'lim-thai-1', 'lim-thai-2']);
    expect(await playOn('--zones', 'na-long', '--clusters', 'bo-he')).toEqual(['bo-he', 'na-long-1', 'na-long-2']);
  });

  test('a village by its name, with or without the Vietnamese marks', async () => {
    expect(await playOn('--clusters', 'Bản Nà Lóng')).toEqual(['na-long-1', 'na-long-2']);
    expect(await playOn('--clusters', 'ban tu le')).toEqual(['trung-tam-1', 'trung-tam-2']);
    expect(await playOn('--clusters', 'village:Bản Lìm Thái')).toEqual(['lim-thai-1', 'lim-thai-2']);
  });

  test('an unknown name is refused, named, with a suggestion (also under --lang vi)', async () => {
    const r = await loa(['broadcast', 'play', '--media', 'thong-bao', '--clusters', 'bo-he,na-longg']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"na-longg" is not a cluster, a zone of the schedule in force or a village.*Did you mean "na-long"\?.*\[LOA_UNKNOWN_TARGET\]/);
    const vi = await loaVi(['broadcast', 'play', '--media', 'thong-bao', '--zones', 'khau than x']);
    expect(vi.code).toBe(1);
    expect(vi.stderr).toMatch(/LOA_UNKNOWN_TARGET/);
    expect(vi.stderr).toContain('"khau than x"');
  });
});

describe('a name that means two things', () => {
  test('is refused until it is said which; one that means the same clusters either way is fine', async () => {
    // A cluster named like the zone of the commune centre, but somewhere else.
    await cli.t.hub.clusters.add({ id: 'trung-tam', name: 'Trung tâm mới', village: 'Bản Mới' });
    try {
      const r = await loa(['broadcast', 'play', '--media', 'thong-bao', '--clusters', 'trung-tam']);
      expect(r.code).toBe(1);
      const means = /"trung-tam" means the zone trung-tam \(trung-tam-1, trung-tam-2\) and the cluster trung-tam/;
      expect(r.stderr).toMatch(new RegExp(`${means.source}.*zone:trung-tam or cluster:trung-tam.*\\[LOA_AMBIGUOUS_TARGET\\]`));
      expect(await playOn('--clusters', 'zone:trung-tam')).toEqual(['trung-tam-1', 'trung-tam-2']);
      expect(await playOn('--clusters', 'cluster:trung-tam')).toEqual(['trung-tam']);
      // ban-luot is a cluster, a zone and (without marks) the village Bản Lướt: all the one cluster.
      expect(await playOn('--clusters', 'ban-luot')).toEqual(['ban-luot']);
    } finally {
      await cli.t.hub.clusters.remove('trung-tam');
    }
  });
});

describe('everywhere clusters are chosen', () => {
  test('broadcast stop --zones stops what is waiting there, and only there', async () => {
    const id = (
      JSON.parse((await loa(['broadcast', 'play', '--media', 'thong-bao', '--clusters', 'phinh-ho,ta-cho', '--at', '23:58', '--json'])).stdout) as {
        broadcast: { id: string };
      }
    ).broadcast.id;
    const r = await loa(['broadcast', 'stop', '--zones', 'phinh-ho', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const stopped = (JSON.parse(r.stdout) as { stopped: { broadcastId: string; clusterId: string }[] }).stopped;
    expect(stopped.filter((s) => s.broadcastId === id).map((s) => s.clusterId)).toEqual(['phinh-ho']);
    expect(cli.t.hub.store.broadcasts.target(id, 'ta-cho')!.status).toBe('pending');
  });

  test('emergency start --clusters with a village; the zones column keeps what was typed', async () => {
    const r = await loa(['emergency', 'start', '--media', 'thong-bao', '--clusters', 'Bản Lìm Thái']);
    expect(r.code, r.stderr).toBe(0);
    const [e] = cli.t.hub.store.schedules.activeEmergencies();
    expect(e).toMatchObject({ clusters: ['lim-thai-1', 'lim-thai-2'], zones: ['Bản Lìm Thái'] });
    cli.t.hub.schedules.stopEmergency('test');
  });

  test('announce --file --zones, and a live push (--mic) to a village', async () => {
    const file = makeTone(join(cli.dir, 'loi-nhan.wav'), 1);
    const a = await loa(['announce', '--file', file, '--zones', 'khau-than', '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect((JSON.parse(a.stdout) as { broadcast: { targets: { clusterId: string }[] } }).broadcast.targets.map((x) => x.clusterId)).toEqual(['khau-than']);

    const push = await spawnLoa(['--data-dir', cli.t.dataDir, '--json', 'announce', '--mic', '--duration', '1', '--clusters', 'Bản Bó Hè'], {
      cwd: cli.dir,
      env: { LOA_MIC_INPUT: '-f lavfi -i sine=f=330' },
    });
    expect(push.code, push.stderr).toBe(0);
    expect((JSON.parse(push.stdout) as { stream: { clusters: { clusterId: string }[] } }).stream.clusters.map((c) => c.clusterId)).toEqual(['bo-he']);
  }, 30_000);

  test('broadcast relay --zones; the API takes the same names (zone:, village:, cluster:)', async () => {
    const relay = await loa(['broadcast', 'relay', 'http://127.0.0.1:9/khong-co.mp3', '--zones', 'lim-mong', '--json']);
    expect(relay.code, relay.stderr).toBe(0);
    const s = (JSON.parse(relay.stdout) as { stream: { id: string; clusters: { clusterId: string }[] } }).stream;
    expect(s.clusters.map((c) => c.clusterId)).toEqual(['lim-mong']);
    await cli.t.hub.live.stop(s.id);

    const media = cli.t.hub.store.media.list().find((m) => m.name === 'thong-bao')!;
    const api = await cli.t.api<{ broadcast: { targets: { clusterId: string }[] } }>('POST', '/api/v1/broadcasts', {
      mediaId: media.id,
      clusters: ['zone:na-long', 'village:Bản Tà Chơ'],
      startAt: cli.t.hub.clock.now() + 3_600_000,
    });
    expect(api.status).toBe(201);
    expect(api.body.broadcast.targets.map((x) => x.clusterId).sort()).toEqual(['na-long-1', 'na-long-2', 'ta-cho']);
    const bad = await cli.t.api<{ error: { code: string; message: string } }>('POST', '/api/v1/broadcasts', { mediaId: media.id, clusters: ['zone:ban-hon'] });
    expect([bad.status, bad.body.error.code]).toEqual([404, 'LOA_UNKNOWN_TARGET']);
    expect(bad.body.error.message).toContain('zone "ban-hon"');
  });
});
