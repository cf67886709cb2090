// Every route of the hub's HTTP app against one authorisation table: the routes the app actually
// registered are enumerated (a new route missing from the table fails here), each one's declared
// roles must match the table, and real requests show no token → 401, the police token → 403 on
// every operator route and an answer on its own, the viewer token likewise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes, type RouteEntry } from '../hub/http/app.js';
import type { Role } from '../hub/store/index.js';
import { startPoliceRig, type PoliceRig } from './helpers/police-rig.js';

type Access = 'public' | 'device' | readonly Role[];

const OP = ['operator'] as const;
const STATUS_READERS = ['operator', 'police', 'viewer'] as const;
const PICTURE_READERS = ['operator', 'police'] as const;

/** Who may call what. `public`: no token at all; `device`: the boxes' own HTTP Basic credentials. */
const TABLE: Record<string, Access> = {
  'GET /healthz': 'public',
  'GET /metrics': 'public',
  'GET /monitor': 'public',
  'GET /monitor/': 'public',
  'GET /monitor/monitor.js': 'public',
  'GET /monitor/monitor.css': 'public',
  'GET /monitor/alarms.js': 'public',
  'GET /monitor/live.js': 'public',
  'GET /api/v1/media/:id/content': 'device',
  'GET /api/v1/live/:id': 'device',

  'GET /api/v1/cameras': STATUS_READERS,
  'GET /api/v1/cameras/:id': STATUS_READERS,
  'GET /api/v1/cameras/:id/snapshot': PICTURE_READERS,
  'GET /api/v1/cameras/:id/live': PICTURE_READERS,
  'GET /api/v1/events': PICTURE_READERS,
  'POST /api/v1/cameras': OP,
  'POST /api/v1/announcements': OP,
  'DELETE /api/v1/cameras/:id': OP,
  'POST /api/v1/cameras/discover': OP,

  'GET /api/v1/status': OP,
  'GET /api/v1/clusters': OP,
  'POST /api/v1/clusters': OP,
  'GET /api/v1/clusters/:id': OP,
  'DELETE /api/v1/clusters/:id': OP,
  'POST /api/v1/clusters/:id/rotate-secret': OP,
  'POST /api/v1/clusters/:id/volume': OP,
  'GET /api/v1/media': OP,
  'POST /api/v1/media': OP,
  'GET /api/v1/media/:id': OP,
  'DELETE /api/v1/media/:id': OP,
  'POST /api/v1/broadcasts': OP,
  'GET /api/v1/broadcasts': OP,
  'GET /api/v1/broadcasts/:id': OP,
  'POST /api/v1/broadcasts/stop': OP,
  'GET /api/v1/log': OP,
  'GET /api/v1/tokens': OP,
  'POST /api/v1/tokens': OP,
  'DELETE /api/v1/tokens/:id': OP,
  'POST /api/v1/schedules/validate': OP,
  'POST /api/v1/schedules': OP,
  'GET /api/v1/schedules/current': OP,
  'GET /api/v1/schedules': OP,
  'GET /api/v1/plan': OP,
  'GET /api/v1/emergency': OP,
  'POST /api/v1/emergency': OP,
  'POST /api/v1/emergency/stop': OP,
  'GET /api/v1/report': OP,
  'GET /api/v1/alarms': PICTURE_READERS,
  'GET /api/v1/alarms/events': OP,
  'GET /api/v1/live': OP,
  'POST /api/v1/live': OP,
  'POST /api/v1/live/push': OP,
  'DELETE /api/v1/live/:id': OP,
  'POST /api/v1/broker/files': OP,
};

let rig: PoliceRig;
let routes: RouteEntry[];

beforeAll(async () => {
  rig = await startPoliceRig({ firstHost: '127.0.7.1', count: 1 });
  routes = registeredRoutes(rig.t.hub.app);
  // The shared text catalogues the monitor page imports (common/i18n/*, compiled): public, one
  // route each; at least the camera and alarm words.
  const catalogues = routes.filter((r) => r.method === 'GET' && /^\/monitor\/i18n\/[\w.-]+\.js$/.test(r.url)).map((r) => r.url);
  expect(catalogues).toContain('/monitor/i18n/reasons.js');
  for (const url of catalogues) TABLE[`GET ${url}`] = 'public';
  await rig.waitStatus('cam-1', 'online');
});

afterAll(async () => {
  await rig?.stop();
});

const key = (r: { method: string; url: string }): string => `${r.method} ${r.url}`;

/** A concrete path: camera routes get the simulated camera, other ids one that does not exist. */
function pathOf(url: string, id = url.startsWith('/api/v1/cameras') ? 'cam-1' : 'missing'): string {
  return url.replace(':id', id) + (url === '/api/v1/events' ? '?wait=0' : '');
}

async function call(method: string, url: string, token: string | null, id?: string) {
  return rig.t.api<{ error?: { code: string } }>(method, pathOf(url, id), undefined, { token });
}

describe('authorisation table', () => {
  it('covers every route the app registered, and nothing more', () => {
    const actual = routes
      .filter((r) => r.method !== 'HEAD')
      .map(key)
      .sort();
    expect(actual).toEqual(Object.keys(TABLE).sort());
    // HEAD routes are fastify's twins of the GETs and must carry the same roles.
    for (const head of routes.filter((r) => r.method === 'HEAD')) {
      const get = routes.find((r) => r.method === 'GET' && r.url === head.url);
      expect(get, `HEAD ${head.url} without its GET`).toBeDefined();
      expect(head.roles).toEqual(get!.roles);
    }
  });

  it('matches the roles each route declares', () => {
    for (const r of routes.filter((x) => x.method !== 'HEAD')) {
      const access = TABLE[key(r)]!;
      if (access === 'public' || access === 'device') expect(r.roles, key(r)).toBeNull();
      else expect([...(r.roles ?? [])].sort(), key(r)).toEqual([...access].sort());
    }
  });

  it('answers 401 without a token, or with an unknown one, on every route that is not public', async () => {
    for (const [route, access] of Object.entries(TABLE)) {
      const [method, url] = route.split(' ') as [string, string];
      const none = await call(method, url, null);
      const forged = await call(method, url, 'loa_not-a-token-of-this-hub');
      if (access === 'public') {
        expect(none.status, route).toBe(200);
        continue;
      }
      expect(none.status, route).toBe(401);
      expect(none.body.error?.code, route).toBe('LOA_UNAUTHENTICATED');
      expect(forged.status, route).toBe(401);
      // HEAD goes through the same hook.
      if (method === 'GET') expect((await call('HEAD', url, null)).status, `HEAD ${url}`).toBe(401);
    }
  });

  for (const role of ['police', 'viewer'] as const) {
    it(`lets a ${role} token call its routes and answers 403 on all others`, async () => {
      const token = role === 'police' ? rig.police : rig.viewer;
      for (const [route, access] of Object.entries(TABLE)) {
        const [method, url] = route.split(' ') as [string, string];
        const r = await call(method, url, token);
        if (access === 'public') expect(r.status, route).toBe(200);
        // A bearer token is not a box's credentials.
        else if (access === 'device') expect(r.status, route).toBe(401);
        else if (access.includes(role)) {
          expect(r.status, `${role} ${route}: ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(200);
          expect(r.status, `${role} ${route}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
          if (url.includes(':id')) {
            const missing = await call(method, url, token, 'no-such-camera');
            expect(missing.status, route).toBe(404);
            expect(missing.body.error?.code, route).toBe('LOA_CAMERA_NOT_FOUND');
          }
        } else {
          expect(r.status, `${role} ${route}`).toBe(403);
          expect(r.body.error?.code, route).toBe('LOA_FORBIDDEN');
        }
      }
    });
  }

  it('leaves nothing changed by the refused calls', async () => {
    const cams = await rig.t.api<{ cameras: Array<{ id: string }> }>('GET', '/api/v1/cameras');
    expect(cams.body.cameras.map((c) => c.id)).toEqual(['cam-1']);
    const tokens = await rig.t.api<{ tokens: Array<{ role: string }> }>('GET', '/api/v1/tokens');
    expect(tokens.body.tokens.map((k) => k.role).sort()).toEqual(['operator', 'police', 'viewer']);
  });
});
