// The `site:` key of a schedule file against the hub's site (the real hub's schedule routes): the
// hub's site is `site:` in its config or, without one, the site of the schedule in force (the first
// file applied); a file for another site is a schedule problem (SCHEDULE_WRONG_SITE) and nothing of
// it is applied. Moving a hub to another site on purpose is a config change.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LoaError } from '../common/errors.js';
import { loadHubConfig } from '../hub/config.js';
import { spawnLoa } from './helpers/cli-run.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { MEDIA_LENGTHS, SCHEDULE_FILE, SITE } from './helpers/radio-day.js';
import { makeTempDir } from './helpers/tmp.js';

const tuLe = readFileSync(SCHEDULE_FILE, 'utf8');
const other = tuLe.replace(/^site: tu-le$/m, 'site: nam-dinh');
type Problem = { code: string; line: number; col: number; severity: string; message: string };

const tmp = makeTempDir('loa-schedule-site-');
let t: TestHub | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

async function hub(site?: string, dataDir?: string): Promise<TestHub> {
  const h = await startTestHub({ ...(dataDir ? { dataDir } : {}), ...(site ? { config: { site } } : {}) });
  for (const c of SITE.clusters) if (!h.hub.store.clusters.get(c.id)) await h.hub.clusters.add(c);
  for (const [name, durationMs] of Object.entries(MEDIA_LENGTHS)) {
    h.hub.store.media.upsert({
      id: createHash('sha256').update(name).digest('hex'),
      name,
      originalName: name,
      durationMs,
      bytes: 1000,
      format: 'ogg/opus',
      createdAt: Date.now(),
    });
  }
  return h;
}

/** The errors of a file (the Tú Lệ file may have warnings, e.g. its event has passed). */
async function validate(h: TestHub, text: string, lang?: string): Promise<{ ok: boolean; problems: Problem[] }> {
  const r = await h.api<{ ok: boolean; problems: Problem[] }>('POST', '/api/v1/schedules/validate', { text, file: 'lich.yaml', ...(lang ? { lang } : {}) });
  return { ok: r.body.ok, problems: r.body.problems.filter((p) => p.severity === 'error') };
}
const apply = (h: TestHub, text: string) =>
  h.api<{ version?: number; error?: { code: string; details: Problem[] } }>('POST', '/api/v1/schedules', { text, file: 'lich.yaml' });

describe("the hub's site", () => {
  it('without a configured site, the first file applied sets it; a file for another site is refused', async () => {
    t = await hub();
    // No site yet: any site's file is checked on its own merits.
    expect((await validate(t, other)).ok).toBe(true);
    expect((await apply(t, tuLe)).status).toBe(201);

    const r = await validate(t, other);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'SCHEDULE_WRONG_SITE', line: 4, col: 7 })]);
    expect(r.problems[0]!.message).toBe(
      'this file is for site "nam-dinh" but this hub runs site "tu-le"; check you have the right file (a hub moves to another site only by `site:` in its ' +
        'config).',
    );
    const vi = await validate(t, other, 'vi');
    expect(vi.problems[0]!.message).toMatch(/^tệp này dành cho đơn vị "nam-dinh" nhưng hub này là của "tu-le"/);

    const refused = await apply(t, other);
    expect(refused.status).toBe(422);
    expect(refused.body.error!.code).toBe('LOA_SCHEDULE_INVALID');
    const cur = await t.api<{ schedule: { version: number; site: string } }>('GET', '/api/v1/schedules/current');
    expect(cur.body.schedule).toMatchObject({ version: 1, site: 'tu-le' });
  });

  it('a configured site refuses other files from the first one; changing the config moves the hub', async () => {
    const dir = join(tmp.path, 'configured');
    t = await hub('nam-dinh', dir);
    expect((await apply(t, tuLe)).body.error!.details.filter((p) => p.severity === 'error').map((p) => p.code)).toEqual(['SCHEDULE_WRONG_SITE']);
    expect((await apply(t, other)).status).toBe(201);
    await t.stop({ keepData: true });

    // The commune's hub is moved to Tú Lệ on purpose: its config says so, and the schedule in force
    // (Nam Định's) keeps playing until Tú Lệ's file is applied.
    t = await hub('tu-le', dir);
    expect(t.hub.schedules.load().schedule?.site).toBe('nam-dinh');
    expect((await apply(t, other)).status).toBe(422);
    expect((await apply(t, tuLe)).status).toBe(201);
  });

  it("a site that is not an id is refused, in the schedule file and in the hub's config", async () => {
    t = await hub('tu-le');
    const r = await validate(t, tuLe.replace(/^site: tu-le$/m, 'site: "Tú Lệ"'));
    expect(r.problems).toEqual([expect.objectContaining({ code: 'SCHEDULE_BAD_ID', line: 4, col: 7 })]);
    // Not text at all: said once, and not compared with the hub's site.
    for (const v of ['[a, b]', '{ x: 1 }']) {
      const list = await validate(t, tuLe.replace(/^site: tu-le$/m, `site: ${v}`));
      expect(
        list.problems.map((p) => `${p.line}:${p.col} ${p.code}`),
        v,
      ).toEqual(['4:7 SCHEDULE_BAD_VALUE']);
    }
    const file = join(tmp.path, 'hub.yaml');
    writeFileSync(file, 'site: Tú Lệ\n');
    expect(() => loadHubConfig(file)).toThrow(LoaError);
    expect(() => loadHubConfig(file)).toThrow(`${file}:1:7: site:`);
  });

  it('loa schedule validate names the file, line and column', async () => {
    t = await hub('tu-le');
    const file = join(tmp.path, 'lich-nam-dinh.yaml');
    writeFileSync(file, other);
    const r = await spawnLoa(['--data-dir', t.dataDir, 'schedule', 'validate', file], { cwd: process.cwd() });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:4:7: error SCHEDULE_WRONG_SITE: this file is for site "nam-dinh" but this hub runs site "tu-le"`);
  });
});
