// Discovery: unicast WS-Discovery probes to an address range find the simulated cameras (each
// answering on its own address), deduplicated, with `knownAs` for cameras already configured;
// ranges are checked; ProbeMatches are untrusted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoaError } from '../common/errors.js';
import { expandRange, parseProbeMatches } from '../hub/cameras/discovery.js';
import { startCameraHub, type CameraHub } from './helpers/hub-cameras.js';

// Each simulated camera answers probes on its own address at this port (distinct addresses per
// test file keep parallel files apart).
const WSD_TEST_PORT = 39_702;

describe('camera discovery', () => {
  let h: CameraHub;

  beforeAll(async () => {
    h = await startCameraHub({ count: 4, firstHost: '127.0.5.121', discoveryPort: WSD_TEST_PORT, addCameras: false });
    const c = h.farm.cameras[0]!;
    h.hub.hub.cameras.add({ id: 'cong-xa', host: c.host, port: c.port, user: 'admin', password: 'admin' });
    h.farm.setFaults(3, { dead: true });
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
  });

  it('finds the cameras of a range by unicast probe', async () => {
    const found = await h.hub.hub.cameras.discover({
      ranges: ['127.0.5.120-127.0.5.126', '127.0.5.121/32'],
      multicast: false,
      port: WSD_TEST_PORT,
      timeoutMs: 500,
    });
    expect(found.map((f) => f.host)).toEqual(['127.0.5.121', '127.0.5.122', '127.0.5.123']); // the dead one is silent
    expect(found[0]).toMatchObject({
      xaddr: `http://127.0.5.121:${h.farm.cameras[0]!.port}/onvif/device_service`,
      port: h.farm.cameras[0]!.port,
      path: '/onvif/device_service',
      name: 'cam-001',
      hardware: 'SimCam-S1',
      knownAs: 'cong-xa',
    });
    expect(found[0]!.endpoint).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(found[1]!.knownAs).toBeNull();
  });

  it('checks ranges with clear errors', async () => {
    const bad = async (ranges: string[]) => {
      const e = await h.hub.hub.cameras.discover({ ranges, multicast: false, port: WSD_TEST_PORT, timeoutMs: 100 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(LoaError);
      expect((e as LoaError).code).toBe('LOA_BAD_REQUEST');
      return (e as LoaError).message;
    };
    expect(await bad(['10.0.0.0/16'])).toContain('from /22');
    expect(await bad(['10.0.0.9-10.0.0.1'])).toContain('ends before it starts');
    expect(await bad(['10.0.0.1-10.0.8.1'])).toContain('at most 1024');
    expect(await bad(['10.0.0.300-400'])).toContain('not an IPv4 address');
    expect(await bad(['camera-range'])).toContain('192.168.1.10-192.168.1.60');
  });

  it('expands ranges without network and broadcast addresses', () => {
    expect(expandRange('192.168.1.0/30')).toEqual(['192.168.1.1', '192.168.1.2']);
    expect(expandRange('192.168.1.10-12')).toEqual(['192.168.1.10', '192.168.1.11', '192.168.1.12']);
    expect(expandRange('10.0.0.0/22')).toHaveLength(1022);
  });

  it('ignores hostile or foreign ProbeMatches', () => {
    const id = 'uuid:ours';
    const match = (relates: string, xaddrs: string, scopes = '') =>
      `<s:Envelope xmlns:s="x" xmlns:a="y" xmlns:d="z"><s:Header><a:RelatesTo>${relates}</a:RelatesTo></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch>` +
      `<a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference><d:Scopes>${scopes}</d:Scopes><d:XAddrs>${xaddrs}</d:XAddrs>` +
      `</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
    expect(parseProbeMatches('not xml at all <<<', id, '10.0.0.5')).toEqual([]);
    expect(parseProbeMatches(match('uuid:someone-else', 'http://10.0.0.5/onvif/device_service'), id, '10.0.0.5')).toEqual([]);
    expect(parseProbeMatches(match(id, 'javascript:alert(1) ftp://10.0.0.5/x'), id, '10.0.0.5')).toEqual([]);
    const [m] = parseProbeMatches(
      match(
        id,
        'http://192.168.0.9/a http://10.0.0.5:8080/onvif/device_service',
        `onvif://www.onvif.org/name/${'A'.repeat(1000)} onvif://www.onvif.org/location/%E0%A4`,
      ),
      id,
      '10.0.0.5',
    );
    expect(m).toMatchObject({ host: '10.0.0.5', port: 8080, endpoint: 'urn:uuid:1' });
    expect(m!.name!.length).toBeLessThanOrEqual(128);
    expect(m!.location).toBe('%E0%A4');
  });
});
