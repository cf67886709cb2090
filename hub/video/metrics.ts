// Live view's numbers for /metrics: pulls open and viewers per camera and profile (two viewers of
// one camera show as one pull), pulls started, bytes received from cameras, fragments a slow
// viewer missed.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveVideo } from './service.js';

/** Adds live view's metrics to the hub's registry and returns it. */
export function registerLiveMetrics(registry: Registry, live: LiveVideo): Registry {
  new Gauge({
    name: 'loa_camera_live_pulls',
    help: 'Upstream RTSP pulls open for live view, by camera and profile',
    labelNames: ['camera', 'profile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of live.list()) this.set({ camera: c.camera, profile: c.profile }, 1);
    },
  });
  new Gauge({
    name: 'loa_camera_live_viewers',
    help: 'Live view viewers connected, by camera and profile',
    labelNames: ['camera', 'profile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of live.list()) this.set({ camera: c.camera, profile: c.profile }, c.viewers);
    },
  });
  new Counter({
    name: 'loa_camera_live_pulls_started_total',
    help: 'Upstream RTSP pulls opened for live view since the hub started',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(live.counts.pullsStarted);
    },
  });
  new Counter({
    name: 'loa_camera_live_bytes_total',
    help: 'Bytes of video received from cameras for live view, by camera and profile',
    labelNames: ['camera', 'profile'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, n] of live.counts.bytes) {
        const [camera, profile] = key.split('|') as [string, string];
        this.inc({ camera, profile }, n);
      }
    },
  });
  new Counter({
    name: 'loa_camera_live_fragments_dropped_total',
    help: 'Video fragments not sent to a live viewer that could not keep up',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(live.counts.dropped);
    },
  });
  return registry;
}
