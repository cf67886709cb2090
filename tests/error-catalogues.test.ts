// Error codes raised in more than one place are defined once, in their module's catalogue
// (hub/<module>/errors.ts, common/config-errors.ts, cli/errors.ts), with one wording: the
// source raises each code from one file, and a real hub says a missing cluster or live stream the
// same way whichever route or module meets it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.isFile() && e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Each code given as the first argument of an error constructor or builder, with the files that do so. */
function raisedCodes(): Map<string, Set<string>> {
  const codes = new Map<string, Set<string>>();
  for (const dir of ['hub', 'cli', 'demo', 'daemon', 'common']) {
    for (const file of tsFiles(join(ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\b[A-Za-z]*Error\(\s*'(LOA_[A-Z0-9_]+)'/g)) {
        const files = codes.get(m[1]!) ?? new Set<string>();
        files.add(relative(ROOT, file));
        codes.set(m[1]!, files);
      }
    }
  }
  return codes;
}

/** Codes raised from two files on purpose, and why. */
const TWO_PLACES: Record<string, string[]> = {
  // The media catalogue, and names.ts beside it that builds the name and removal errors.
  LOA_MEDIA_NOT_FOUND: ['hub/media/errors.ts', 'hub/media/names.ts'],
  // Any module's request that does not hold (common/errors.ts badRequest), and the HTTP layer's
  // own schema sentence for a body or query that does not parse.
  LOA_BAD_REQUEST: ['common/errors.ts', 'hub/http/errors.ts'],
  // The CLI is a separate program: it names the hub's 401 with the hub's code.
  LOA_UNAUTHENTICATED: ['cli/api-client.ts', 'hub/http/auth.ts'],
};

describe('error catalogues', () => {
  it('every code is raised from one file (its catalogue), but for the pairs listed with their reason', () => {
    const spread = [...raisedCodes()].filter(([, files]) => files.size > 1).map(([code, files]) => [code, [...files].sort()] as const);
    expect(Object.fromEntries(spread)).toEqual(TWO_PLACES);
  });

  describe('on a real hub', () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub();
    });
    afterAll(() => t.stop());

    it('a live stream that is not there: the same code, status and sentence for the operator and for a box', async () => {
      const box = await t.addCluster('ban-cat-1');
      const basic = `Basic ${Buffer.from(`${box.id}:${box.secret}`).toString('base64')}`;
      const operator = await t.api<{ error: { code: string; message: string } }>('DELETE', '/api/v1/live/live-nope');
      const fromBox = await t.api<{ error: { code: string; message: string } }>('GET', '/api/v1/live/live-nope', undefined, {
        token: null,
        headers: { authorization: basic },
      });
      expect(operator.status).toBe(404);
      expect(fromBox.status).toBe(404);
      expect(operator.body.error).toEqual(fromBox.body.error);
      expect(operator.body.error.code).toBe('LOA_LIVE_NOT_FOUND');
      expect(operator.body.error.message).toMatch(/^live stream live-nope does not exist or has ended; `loa broadcast relay --list`/);
    });

    it('one unknown cluster is said the same way by the dispatcher (volume) and the cluster service (show)', async () => {
      const volume = await t.api<{ error: { code: string; sentence: unknown } }>('POST', '/api/v1/clusters/ban-nope/volume', { volume: 50 });
      const shown = await t.api<{ error: { code: string; sentence: unknown } }>('GET', '/api/v1/clusters/ban-nope');
      expect([volume.status, shown.status]).toEqual([404, 404]);
      expect(volume.body.error).toEqual(shown.body.error);
      expect(shown.body.error).toMatchObject({ code: 'LOA_CLUSTER_NOT_FOUND', sentence: { code: 'cluster.not-found', params: { id: 'ban-nope' } } });
    });
  });
});
