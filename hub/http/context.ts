// What the HTTP routes may use: narrow handles onto the hub's modules, passed as one object.
import type { Provisioning } from '../tls/provisioning.js';
import type { Registry } from 'prom-client';
import type { Clock } from '../../common/clock.js';
import type { FfmpegLocation } from '../../common/ffmpeg.js';
import type { AlarmService } from '../alarms/service.js';
import type { AnnounceService } from '../announce/service.js';
import type { ClusterLogin } from '../broker/cluster-login.js';
import type { CameraService } from '../cameras/types.js';
import type { ClusterService } from '../clusters/service.js';
import type { HubConfig } from '../config.js';
import type { DeviceListener } from '../devices/listener.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { LiveService } from '../live/service.js';
import type { MediaService } from '../media/types.js';
import type { ScheduleService } from '../scheduler/service.js';
import type { Store } from '../store/index.js';
import type { LiveVideo } from '../video/service.js';

export interface HttpContext {
  config: HubConfig;
  clock: Clock;
  store: Store;
  clusters: ClusterService;
  dispatcher: Dispatcher;
  live: LiveService;
  devices: DeviceListener;
  media: MediaService;
  schedules: ScheduleService;
  alarms: AlarmService;
  cameras: CameraService;
  /** Live view of cameras (hub/video/); absent in apps built without it. */
  cameraLive?: LiveVideo;
  /** The hub public keys a box is to trust (`hubKeys` in its config): the signing key, and the
   *  next one while a rotation is under way (docs/install.md). */
  hubKeys: () => string[];
  /** Boxes' HTTP Basic logins (media, live), throttled with the broker's. */
  clusterLogin: ClusterLogin;
  metrics: Registry;
  ffmpeg: FfmpegLocation;
  version: string;
  startedAt: number;
  /** Text-to-speech and file announcements (hub/announce/); absent in apps built without them. */
  announce?: AnnounceService;
  /** What `loa clusters add` hands a new box besides its secret (hub/tls/provisioning.ts). */
  provisioning?: () => Provisioning;
}
