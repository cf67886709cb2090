// The box's copy of its plan (<dataDir>/plan.json): only a newer version replaces it, each new
// version is written once and atomically (a new file renamed over the old), and it is there again
// after a restart; a damaged file or payload is dropped, not believed.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { itemEnd, itemsAhead, PlanStore } from '../daemon/offline/plan-store.js';
import { PROTOCOL_VERSION, type Plan, type PlanItem } from '../protocol/index.js';
import { makeTempDir } from './helpers/tmp.js';

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});
function dir(): string {
  const d = makeTempDir('loa-plan-store-');
  dirs.push(d);
  return d.path;
}

const media = { id: 'a'.repeat(64), url: '/api/v1/media/a/content', bytes: 1000, durationMs: 60_000, format: 'ogg/opus' };
function item(broadcastId: string, startAt: number, extra: Partial<PlanItem> = {}): PlanItem {
  return { broadcastId, startAt, offsetMs: 0, media, priority: 'normal', ...extra };
}
function plan(version: number, items: PlanItem[]): Plan {
  return { v: PROTOCOL_VERSION, version, generatedAt: 1_000, from: 1_000, until: 1_000 + 48 * 3600_000, items };
}
const payload = (p: Plan) => Buffer.from(JSON.stringify(p));

describe('PlanStore', () => {
  it('keeps the highest version only, writing each new one once by rename, and loads it after a restart', async () => {
    const d = dir();
    const store = new PlanStore(d, silentLogger());
    expect(store.plan).toBeNull();
    expect(store.offer(payload(plan(5, [item('b1', 10_000)]))))?.toMatchObject({ version: 5 });
    await store.flushed();
    const file = join(d, 'plan.json');
    const first = statSync(file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 5 });

    // The retained plan comes again on every reconnect, and an older one may be late: no write.
    expect(store.offer(payload(plan(5, [item('b1', 10_000)])))).toBeNull();
    expect(store.offer(payload(plan(4, [item('old', 10_000)])))).toBeNull();
    await store.flushed();
    expect(statSync(file).ino).toBe(first.ino);
    expect(store.plan?.version).toBe(5);

    expect(store.offer(payload(plan(6, [item('b2', 20_000)])))?.version).toBe(6);
    await store.flushed();
    // A new inode: the file was written beside and renamed over, never rewritten in place.
    expect(statSync(file).ino).not.toBe(first.ino);
    expect(readdirSync(d)).toEqual(['plan.json']);

    const again = new PlanStore(d, silentLogger());
    expect(again.plan).toMatchObject({ version: 6, items: [{ broadcastId: 'b2' }] });
    expect(again.offer(payload(plan(5, [])))).toBeNull();
  });

  it('drops an invalid payload, and starts without a plan when the file is damaged', async () => {
    const d = dir();
    const store = new PlanStore(d, silentLogger());
    expect(store.offer('{"v":1,"version":"seven"}')).toBeNull();
    expect(store.offer('not json')).toBeNull();
    await store.flushed();
    expect(existsSync(join(d, 'plan.json'))).toBe(false);

    writeFileSync(join(d, 'plan.json'), '{"v":1,"version":3,"ite');
    // A half-written temporary file from a power cut is not looked at.
    writeFileSync(join(d, 'plan.json.tmp'), JSON.stringify(plan(99, [])));
    const damaged = new PlanStore(d, silentLogger());
    expect(damaged.plan).toBeNull();
    expect(damaged.offer(payload(plan(2, [item('b', 5_000)])))?.version).toBe(2);
    await damaged.flushed();
    expect(new PlanStore(d, silentLogger()).plan?.version).toBe(2);
  });

  it('knows when items end and which are still ahead', () => {
    const cut = item('cut', 10_000, { offsetMs: 20_000, stopAt: 25_000 });
    const whole = item('whole', 30_000, { offsetMs: 15_000 });
    expect(itemEnd(cut)).toBe(25_000);
    expect(itemEnd(whole)).toBe(30_000 + 45_000);
    const p = plan(1, [whole, cut]);
    expect(itemsAhead(p, 0).map((i) => i.broadcastId)).toEqual(['cut', 'whole']);
    expect(itemsAhead(p, 25_000).map((i) => i.broadcastId)).toEqual(['whole']);
    expect(itemsAhead(null, 0)).toEqual([]);
  });
});
