// pollAll() called back to back: the second call comes while the first's last poll is finishing
// (its waiter resolves inside that poll, before the poller marks it idle), and must still poll every
// camera again instead of leaving one to its next interval (an hour here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCameraHub, type CameraHub } from './helpers/hub-cameras.js';

let h: CameraHub;

beforeAll(async () => {
  h = await startCameraHub({ count: 4, firstHost: '127.0.5.151', cameras: { pollIntervalSec: 3600, backoffMaxSec: 3600 } });
  await h.hub.hub.cameras.pollAll();
});

afterAll(async () => {
  await h?.stop();
});

describe('pollAll back to back', () => {
  it('polls every camera again on each call, with nothing due for an hour', async () => {
    const cams = h.hub.hub.cameras;
    for (let round = 0; round < 5; round++) {
      const before = new Map(h.ids.map((id) => [id, cams.get(id)!.lastCheckedAt!]));
      // A hang here is the bug: one camera's poll is not run again, so the call never resolves.
      await Promise.race([cams.pollAll(), new Promise((_, reject) => setTimeout(() => reject(new Error(`round ${round}: pollAll did not resolve`)), 5000))]);
      for (const id of h.ids) expect(cams.get(id)!.lastCheckedAt, `${id} in round ${round}`).toBeGreaterThan(before.get(id)!);
    }
  });
});
