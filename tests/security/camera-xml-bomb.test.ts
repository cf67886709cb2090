// Issue 14, item 8: a hostile camera answers with XML under the 1 MiB cap but built to be costly to
// parse: 100,000 nested elements (or 100,000 siblings). The hub refuses such a reply by its shape
// before any parser sees it: that camera is degraded with a reason that says why, the poll costs
// little CPU, and a good camera polled in the same round stays online.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../hub/cameras/replies.js';
import type { CameraView } from '../../hub/cameras/types.js';
import { startCameraHub, type CameraHub } from '../helpers/hub-cameras.js';
import { startCameraProxy, type CameraProxy } from '../helpers/hub-cameras-proxy.js';

const ENVELOPE =
  '<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>';
/** 100,000 nested elements: about 700 KB, under the 1 MiB cap on a reply. */
const nested = (n: number) =>
  `${ENVELOPE}<tds:GetDeviceInformationResponse>${'<a>'.repeat(n)}x${'</a>'.repeat(n)}</tds:GetDeviceInformationResponse></s:Body></s:Envelope>`;
/** 100,000 sibling elements. */
const flat = (n: number) => `${ENVELOPE}<tds:GetDeviceInformationResponse>${'<a/>'.repeat(n)}</tds:GetDeviceInformationResponse></s:Body></s:Envelope>`;
/** One element with n attributes (60,000 are about 650 KB). */
const attributes = (n: number) =>
  `${ENVELOPE}<tds:GetDeviceInformationResponse><a${Array.from({ length: n }, (_, i) => ` b${i}="1"`).join('')}/></tds:GetDeviceInformationResponse></s:Body>` +
  `</s:Envelope>`;

describe('a camera answering with an XML bomb', () => {
  let h: CameraHub;
  let proxy: CameraProxy;
  let n = 0;

  beforeAll(async () => {
    h = await startCameraHub({ count: 1, firstHost: '127.0.9.1' });
    const cam = h.farm.cameras[0]!;
    proxy = await startCameraProxy('127.0.9.3', { host: cam.host, port: cam.port });
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
    await proxy?.stop();
  });

  /** Polls the good camera (cam-1) and a new one behind the hostile proxy in one round. */
  async function pollHostile(body: string): Promise<{ v: CameraView; good: CameraView; cpuMs: number }> {
    expect(Buffer.byteLength(body)).toBeLessThan(1024 * 1024);
    proxy.tamper.clear();
    proxy.tamper.set('GetDeviceInformation', () => ({ status: 200, type: 'application/soap+xml', body }));
    const id = `bomb-${++n}`;
    h.hub.hub.cameras.add({ id, host: proxy.host, port: proxy.port, user: 'admin', password: 'admin' });
    const before = process.cpuUsage();
    await h.hub.hub.cameras.pollAll();
    const used = process.cpuUsage(before);
    const v = h.hub.hub.cameras.get(id)!;
    h.hub.hub.cameras.remove(id);
    return { v, good: h.view('cam-1'), cpuMs: (used.user + used.system) / 1000 };
  }

  for (const [label, body] of [
    ['100,000 nested elements (700 KB)', nested(100_000)],
    ['100,000 sibling elements', flat(100_000)],
    ['60,000 attributes on one element', attributes(60_000)],
  ] as const) {
    it(`refuses ${label} by its shape: that camera only is degraded, saying why, at little CPU`, async () => {
      const { v, good, cpuMs } = await pollHostile(body);
      expect(v.status).toBe('degraded');
      expect(v.reasons).toContainEqual({ code: 'camera.reply-too-complex', params: { action: 'GetDeviceInformation', depth: 32, elements: 10000 } });
      expect(v.reason).toBe('bad reply to GetDeviceInformation: XML too complex (over 32 levels deep or 10000 elements and attributes)');
      expect(v.device).toBeNull();
      expect(good.status).toBe('online');
      // The unguarded parse of the nested reply took about 9 s of CPU; the whole round (two
      // cameras, a full poll each) is far below that.
      expect(cpuMs).toBeLessThan(2000);
    }, 30_000);
  }

  it('still reads an ordinary reply behind the same proxy', async () => {
    const { v } = await pollHostile(
      `${ENVELOPE}<tds:GetDeviceInformationResponse><tds:Manufacturer>Acme</tds:Manufacturer><tds:Model>M1</tds:Model>` +
        `<tds:FirmwareVersion>1.0</tds:FirmwareVersion><tds:SerialNumber>42</tds:SerialNumber><tds:HardwareId>h</tds:HardwareId>` +
        `</tds:GetDeviceInformationResponse></s:Body></s:Envelope>`,
    );
    expect(v.status).toBe('online');
    expect(v.device).toMatchObject({ manufacturer: 'Acme', serialNumber: '42' });
  }, 30_000);

  it("the hub's own XML reading (WS-Discovery answers, faults) refuses the same shapes", () => {
    expect(parseXml(nested(100_000))).toBeNull();
    expect(parseXml(flat(100_000))).toBeNull();
    expect(parseXml(attributes(60_000))).toBeNull();
    expect(parseXml(nested(20))).not.toBeNull();
  });
});
