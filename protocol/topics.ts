// The MQTT topic tree of protocol v1. This file is the only place that knows topic strings
//; docs/protocol.md describes the same tree for other vendors' firmware.

export const PROTOCOL_VERSION = 1 as const;
export const TOPIC_ROOT = 'loa/v1';

/**
 * A cluster id is also its MQTT username and a topic level, so it may not contain MQTT wildcards
 * or separators: lowercase letters, digits and dashes, starting with a letter or digit.
 */
export const CLUSTER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isClusterId(s: string): boolean {
  return CLUSTER_ID_PATTERN.test(s);
}

/** The channels under loa/v1/clusters/{clusterId}/ and who may publish on each. */
export const CHANNELS = {
  /** retained; device publishes online, broker publishes its last will (offline). */
  presence: 'device',
  /** hub to device: play, stop, volume. */
  cmd: 'hub',
  /** device to hub: acknowledgement of each step of a command. */
  ack: 'device',
  /** retained; device's reported state: what is playing, volume. */
  state: 'device',
  /** device to hub: health telemetry. */
  health: 'device',
  /** device to hub: a clock-sync request (NTP-style timestamps over MQTT). */
  timereq: 'device',
  /** hub to device: the answer to a clock-sync request. */
  time: 'hub',
  /** retained; hub to device: the cluster's plan for the next 48 hours, to follow while offline. */
  plan: 'hub',
  /** device to hub: what the box played on its own while it could not reach the hub. */
  playlog: 'device',
} as const;

export type Channel = keyof typeof CHANNELS;

export const DEVICE_PUBLISH_CHANNELS: readonly Channel[] = (Object.keys(CHANNELS) as Channel[]).filter((c) => CHANNELS[c] === 'device');
export const DEVICE_SUBSCRIBE_CHANNELS: readonly Channel[] = ['cmd', 'time', 'plan'];

export function clusterTopic(clusterId: string, channel: Channel): string {
  return `${TOPIC_ROOT}/clusters/${clusterId}/${channel}`;
}

/** Pattern the hub subscribes to for one channel of every cluster. */
export function allClustersTopic(channel: Channel): string {
  return `${TOPIC_ROOT}/clusters/+/${channel}`;
}

export interface ParsedClusterTopic {
  clusterId: string;
  channel: Channel;
}

/** Splits a concrete topic into cluster id and channel; null when it is not a v1 cluster topic. */
export function parseClusterTopic(topic: string): ParsedClusterTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'loa' || parts[1] !== 'v1' || parts[2] !== 'clusters') return null;
  const clusterId = parts[3] ?? '';
  const channel = parts[4] ?? '';
  if (!isClusterId(clusterId) || !(channel in CHANNELS)) return null;
  return { clusterId, channel: channel as Channel };
}

/** May this cluster publish on this topic? Only its own device channels. */
export function deviceMayPublish(clusterId: string, topic: string): boolean {
  const t = parseClusterTopic(topic);
  return t !== null && t.clusterId === clusterId && DEVICE_PUBLISH_CHANNELS.includes(t.channel);
}

/** May this cluster subscribe to this filter? Only its own cmd, time and plan topics, exactly (no wildcards). */
export function deviceMaySubscribe(clusterId: string, filter: string): boolean {
  const t = parseClusterTopic(filter);
  return t !== null && t.clusterId === clusterId && DEVICE_SUBSCRIBE_CHANNELS.includes(t.channel);
}
