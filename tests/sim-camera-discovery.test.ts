// WS-Discovery on the simulated ONVIF cameras: a raw unicast Probe over UDP to each camera's address
// gets a ProbeMatch with its device service address, types and scopes; other types and dead cameras get nothing.
import { randomUUID } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { startCameras, type CameraFarm } from '../firmware-sim/cameras/index.js';

function probeXml(messageId: string, types: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" ' +
    'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" ' +
    'xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>' +
    `<w:MessageID>${messageId}</w:MessageID><w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>` +
    '<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>' +
    `<e:Body><d:Probe><d:Types>${types}</d:Types></d:Probe></e:Body></e:Envelope>`
  );
}

/** Sends one Probe and collects every datagram that comes back within waitMs. */
async function probe(host: string, port: number, types: string, waitMs = 400): Promise<{ id: string; replies: string[] }> {
  const sock = createSocket('udp4');
  const replies: string[] = [];
  sock.on('message', (m) => replies.push(m.toString('utf8')));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  const id = `uuid:${randomUUID()}`;
  sock.send(probeXml(id, types), port, host);
  await new Promise((r) => setTimeout(r, waitMs));
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return { id, replies };
}

function tag(xml: string, name: string): string {
  return new RegExp(`<[\\w]+:${name}>([^<]*)</[\\w]+:${name}>`).exec(xml)?.[1] ?? '';
}

describe('simulated camera WS-Discovery', () => {
  let farm: CameraFarm;
  beforeAll(async () => {
    // discoveryPort 0: a free UDP port per camera, so parallel test files never collide on 3702.
    farm = await startCameras({ count: 2, port: 0, discoveryPort: 0, firstHost: '127.0.3.1', logger: silentLogger(), villages: ['Tà Lùng'] });
  });
  afterAll(async () => {
    await farm?.stop();
  });

  it('answers a NetworkVideoTransmitter Probe with its XAddrs, types and scopes', async () => {
    const cam = farm.cameras[0]!;
    expect(cam.host).toBe('127.0.3.1');
    const { id, replies } = await probe(cam.host, cam.discoveryPort, 'dn:NetworkVideoTransmitter');
    expect(replies).toHaveLength(1);
    const r = replies[0]!;
    expect(r).toContain('http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches');
    expect(tag(r, 'RelatesTo')).toBe(id);
    expect(tag(r, 'XAddrs')).toBe(cam.deviceUrl);
    expect(tag(r, 'Types').split(' ')).toContain('dn:NetworkVideoTransmitter');
    expect(r).toContain('xmlns:dn="http://www.onvif.org/ver10/network/wsdl"');
    const scopes = tag(r, 'Scopes').split(' ');
    expect(scopes).toContain('onvif://www.onvif.org/name/cam-001');
    expect(scopes).toContain(`onvif://www.onvif.org/location/${encodeURIComponent('Tà Lùng')}`);
    expect(tag(r, 'Address')).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  it('answers for its own address only, without a location when it has no village', async () => {
    const cam = farm.cameras[1]!;
    const { replies } = await probe(cam.host, cam.discoveryPort, '');
    expect(replies).toHaveLength(1);
    expect(tag(replies[0]!, 'XAddrs')).toBe(cam.deviceUrl);
    expect(tag(replies[0]!, 'Scopes')).toContain('onvif://www.onvif.org/name/cam-002');
    expect(tag(replies[0]!, 'Scopes')).not.toContain('/location/');
  });

  it('ignores Probes for other types and is silent when dead', async () => {
    const cam = farm.cameras[0]!;
    expect((await probe(cam.host, cam.discoveryPort, 'p:Printer', 250)).replies).toHaveLength(0);
    farm.setFaults(0, { dead: true });
    try {
      expect((await probe(cam.host, cam.discoveryPort, 'dn:NetworkVideoTransmitter', 250)).replies).toHaveLength(0);
    } finally {
      farm.setFaults(0, { dead: false });
    }
  });
});
