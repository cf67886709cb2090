// Prometheus metrics (prom-client) for /metrics: fleet presence, dispatch, device traffic, cameras.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CAMERA_STATUSES } from './cameras/types.js';
import type { EventBus } from './events.js';
import type { Store } from './store/index.js';

export function createMetrics(store: Store, bus: EventBus, owner: object): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'loa_hub_' });
  new Gauge({
    name: 'loa_clusters',
    help: 'Registered clusters by presence',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const all = store.clusters.list();
      const online = all.filter((c) => c.online).length;
      this.set({ state: 'online' }, online);
      this.set({ state: 'offline' }, all.length - online);
    },
  });
  new Gauge({
    name: 'loa_alarms_open',
    help: 'Open alarms by kind and severity',
    labelNames: ['kind', 'severity'],
    registers: [registry],
    collect() {
      this.reset();
      for (const a of store.alarms.open()) this.inc({ kind: a.kind, severity: a.severity });
    },
  });
  new Gauge({
    name: 'loa_cameras',
    help: 'Cameras by status (online, degraded, unauthorised, offline, unknown)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of CAMERA_STATUSES) this.set({ status: s }, 0);
      for (const c of store.cameras.list()) this.inc({ status: c.findings.status });
    },
  });
  const acks = new Counter({ name: 'loa_acks_total', help: 'Acknowledgements received from clusters', labelNames: ['status'], registers: [registry] });
  const rejected = new Counter({ name: 'loa_payloads_rejected_total', help: 'Device payloads dropped as invalid', registers: [registry] });
  const health = new Counter({ name: 'loa_health_samples_total', help: 'Health samples received', registers: [registry] });
  // A box reporting faster than health.minIntervalSec: shown, but not stored (hub/store/health.ts).
  new Counter({
    name: 'loa_health_samples_not_stored_total',
    help: 'Health samples received but not stored: their box had one stored less than health.minIntervalSec before',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(store.health.skipped);
    },
  });
  const presence = new Counter({ name: 'loa_presence_changes_total', help: 'Cluster presence changes', labelNames: ['online'], registers: [registry] });
  bus.on(owner, 'ack', ({ ack }) => acks.inc({ status: ack.status }));
  // A box's warnings beyond its few a minute (hub/devices/log-limit.ts): counted, not logged.
  const suppressed = new Counter({
    name: 'loa_device_log_lines_suppressed_total',
    help: 'Warning lines caused by devices and left out of the log (rate limit per cluster)',
    registers: [registry],
  });
  bus.on(owner, 'payloadRejected', () => rejected.inc());
  bus.on(owner, 'deviceLogSuppressed', () => suppressed.inc());
  bus.on(owner, 'health', () => health.inc());
  bus.on(owner, 'presenceChanged', ({ online }) => presence.inc({ online: String(online) }));
  return registry;
}
