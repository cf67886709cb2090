// The simulator as a library, for the demo, the benchmarks and tests: a fleet of virtual clusters.
export { createFleet, startFleet, Fleet, DEFAULT_CONNECT_RATE, DEFAULT_KEEPALIVE_S } from './fleet.js';
export type { FleetOptions, FleetClusterSpec, FleetCounters, FleetEvents, AckEvent, CommandEvent } from './fleet.js';
export { loadFleetFile, parseFleetFile } from './fleet-file.js';
export { DEFAULT_SETTINGS, DEFAULT_BACKOFF, parseDelay } from './settings.js';
export type { ClusterSettings, ClusterOverrides, DelaySpec, BackoffSettings } from './settings.js';
export { VirtualCluster, SIM_AGENT } from './virtual-cluster.js';
