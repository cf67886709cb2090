// Every reply from a camera is untrusted: garbage, faults, missing fields, hostile values and huge
// bodies (injected by a proxy in front of a simulated camera) give a status with a clean reason,
// never a crash, and nothing unchecked reaches a view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraView } from '../hub/cameras/types.js';
import { startCameraHub, type CameraHub } from './helpers/hub-cameras.js';
import { startCameraProxy, type CameraProxy, type Tamper } from './helpers/hub-cameras-proxy.js';

const soap = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" ` +
  `xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>${body}</s:Body></s:Envelope>`;
const reply = (body: string, status = 200): ReturnType<Tamper> => ({ status, type: 'application/soap+xml', body: soap(body) });

describe('hostile camera replies', () => {
  let h: CameraHub;
  let proxy: CameraProxy;
  let n = 0;

  beforeAll(async () => {
    h = await startCameraHub({ count: 1, firstHost: '127.0.5.141', addCameras: false });
    const cam = h.farm.cameras[0]!;
    proxy = await startCameraProxy('127.0.5.143', { host: cam.host, port: cam.port });
  }, 20_000);
  afterAll(async () => {
    await h?.stop();
    await proxy?.stop();
  });

  /** A new camera behind the tampering proxy, polled once (a first contact: the full poll). */
  async function pollWith(tampers: Record<string, Tamper>): Promise<CameraView> {
    proxy.tamper.clear();
    for (const [action, t] of Object.entries(tampers)) proxy.tamper.set(action, t);
    const id = `t-${++n}`;
    h.hub.hub.cameras.add({ id, host: proxy.host, port: proxy.port, user: 'admin', password: 'admin' });
    await h.hub.hub.cameras.pollAll();
    const v = h.hub.hub.cameras.get(id)!;
    h.hub.hub.cameras.remove(id);
    return v;
  }

  it('is online through the proxy when nothing is tampered with', async () => {
    const v = await pollWith({});
    expect(v).toMatchObject({ status: 'online', reason: null });
    expect(v.streamUri).toBe('rtsp://127.0.5.141:554/profile_main');
  });

  it('garbage and faults become bad-reply reasons (degraded), not crashes', async () => {
    let v = await pollWith({ GetDeviceInformation: () => ({ type: 'text/html', body: '<html><body>Login</body>' }) });
    expect(v.status).toBe('degraded');
    expect(v.reason).toMatch(/^bad reply to GetDeviceInformation: /);
    v = await pollWith({ GetSystemDateAndTime: () => reply('<tds:GetSystemDateAndTimeResponse/>') });
    expect(v).toMatchObject({ status: 'degraded', clockSkewMs: null });
    expect(v.reason).toMatch(/^bad reply to GetSystemDateAndTime/);
    v = await pollWith({
      GetProfiles: () => reply('<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>boom</s:Text></s:Reason></s:Fault>', 500),
    });
    expect(v).toMatchObject({ status: 'degraded', reason: 'bad reply to GetProfiles: fault s:Receiver: boom' });
    expect(v.reasons).toEqual([{ code: 'camera.fault', params: { action: 'GetProfiles', fault: 's:Receiver: boom' } }]);
    // GetServices refused: the older GetCapabilities is used instead, as real clients do.
    v = await pollWith({
      GetServices: () => reply('<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>nope</s:Text></s:Reason></s:Fault>', 400),
    });
    expect(v.status).toBe('online');
  });

  it('a NotAuthorized fault is unauthorised', async () => {
    const v = await pollWith({
      GetDeviceInformation: () =>
        reply(
          '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:NotAuthorized</s:Value></s:Subcode></s:Code><s:Reason><s:Text>Sender not ' +
            'Authorized</s:Text></s:Reason></s:Fault>',
          400,
        ),
    });
    expect(v).toMatchObject({ status: 'unauthorised', reasons: [{ code: 'camera.unauthorised', params: { via: 'ter:NotAuthorized' } }] });
  });

  it('a reply over 1 MB is cut off', async () => {
    const huge = `<tds:GetDeviceInformationResponse><tds:Manufacturer>${'x'.repeat(2 * 1024 * 1024)}</tds:Manufacturer></tds:GetDeviceInformationResponse>`;
    const v = await pollWith({ GetDeviceInformation: () => reply(huge) });
    expect(v).toMatchObject({ status: 'degraded', reason: 'bad reply to GetDeviceInformation: over 1048576 bytes' });
    expect(v.device).toBeNull();
  });

  it('long, odd and hostile values are clipped or dropped', async () => {
    const v = await pollWith({
      GetDeviceInformation: () =>
        reply(
          `<tds:GetDeviceInformationResponse><tds:Manufacturer>${'M'.repeat(5000)}</tds:Manufacturer><tds:Model><b>nested</b></tds:Model>` +
            `<tds:SerialNumber>0012</tds:SerialNumber></tds:GetDeviceInformationResponse>`,
        ),
      GetProfiles: () =>
        reply(
          '<trt:GetProfilesResponse><trt:Profiles token="a&lt;b&gt;"><tt:Name>bad token</tt:Name></trt:Profiles>' +
            '<trt:Profiles token="ok_1"><tt:Name>fine</tt:Name><tt:VideoEncoderConfiguration><tt:Encoding>H264</tt:Encoding><tt:Resolution>' +
            '<tt:Width>-5</tt:Width><tt:Height>abc</tt:Height></tt:Resolution></tt:VideoEncoderConfiguration></trt:Profiles></trt:GetProfilesResponse>',
        ),
      GetStreamUri: () => reply('<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>javascript:alert(1)</tt:Uri></trt:MediaUri></trt:GetStreamUriResponse>'),
    });
    expect(v.device!.manufacturer).toHaveLength(128);
    expect(v.device!.model).toBe('');
    expect(v.device!.serialNumber).toBe('0012');
    expect(v.profiles).toEqual([{ token: 'ok_1', name: 'fine', encoding: 'H264', width: null, height: null }]);
    expect(v.streamUri).toBeNull();
    // ok_1 is not a profile the camera knows, so it has no snapshot address for it either.
    expect(v).toMatchObject({ status: 'degraded', reason: 'no stream address; no snapshot address' });
  });

  it('a snapshot address naming another host is pinned to the configured one, without credentials', async () => {
    proxy.tamper.clear();
    proxy.tamper.set('GetSnapshotUri', () =>
      reply(
        '<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>http://root:pw@10.9.9.9:81/onvif/snapshot/profile_main.jpg</tt:Uri></trt:MediaUri>' +
          '</trt:GetSnapshotUriResponse>',
      ),
    );
    h.hub.hub.cameras.add({ id: 'pinned', host: proxy.host, port: proxy.port, user: 'admin', password: 'admin' });
    await h.hub.hub.cameras.pollAll();
    expect(h.hub.hub.store.cameras.get('pinned')!.findings.snapshotUri).toBe(`http://${proxy.host}:${proxy.port}/onvif/snapshot/profile_main.jpg`);
    const snap = await h.hub.hub.cameras.snapshot('pinned');
    expect(snap.jpeg[0]).toBe(0xff);
    h.hub.hub.cameras.remove('pinned');
  });
});
