// What a new box is given besides its id and secret (`loa clusters add`, docs/install.md §3):
// where it reaches the hub, the CA certificate it pins and the hub's command-signing public keys
// it checks every command against (issue 14, items 3 and 4).
import { hostname } from 'node:os';
import type { HubConfig } from '../config.js';

export interface Provisioning {
  /** mqtts://host:port the box connects to. */
  mqttUrl: string;
  /** https://host:port the box fetches media and streams from. */
  httpUrl: string;
  /** The hub's CA certificate (PEM): hub.caFile on the box. */
  caPem: string;
  /** The hub's command-signing public keys (hubKeys on the box); added by the cluster route. */
  hubKeys?: string[];
}

/** The address boxes are told: the first of tls.names, else this machine's hostname. */
export function boxFacingHost(config: HubConfig): string {
  const host = config.tls.names[0] ?? hostname();
  return host.includes(':') ? `[${host}]` : host;
}

export function provisioningFor(config: HubConfig, ports: { mqtts: number | null; http: number }, caPem: string): Provisioning {
  const host = boxFacingHost(config);
  // External broker: the hub's own login URL is often 127.0.0.1; boxes get broker.boxUrl.
  const external = config.broker.mode === 'external';
  const mqttUrl = external ? (config.broker.boxUrl?.replace(/\/$/, '') ?? `mqtts://${host}:8883`) : `mqtts://${host}:${ports.mqtts}`;
  const httpUrl = config.http.publicUrl?.replace(/\/$/, '') ?? `${config.http.plain ? 'http' : 'https'}://${host}:${ports.http}`;
  return { mqttUrl, httpUrl, caPem };
}
