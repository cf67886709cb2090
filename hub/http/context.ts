// What the HTTP routes may use: narrow handles onto the hub's modules, passed as one object.
import type { Registry } from 'prom-client';
import type { Clock } from '../../common/clock.js';
import type { FfmpegLocation } from '../../common/ffmpeg.js';
import type { AlarmService } from '../alarms/service.js';
import type { AnnounceService } from '../announce/service.js';
import type { SecretVerifier } from '../broker/secrets.js';
import type { CameraService } from '../cameras/types.js';
import type { ClusterService } from '../clusters/service.js';
import type { HubConfig } from '../config.js';
import type { DeviceListener } from '../devices/listener.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { LiveService } from '../live/service.js';
import type { ScheduleService } from '../scheduler/service.js';
import type { MediaRow, Store } from '../store/index.js';

export interface MediaService {
  /** Imports an audio file into the library; reports progress in percent. */
  import(input: { inputPath: string; name: string; originalName: string; onProgress?: (percent: number, phase: string) => void }): Promise<MediaRow>;
  remove(id: string): Promise<void>;
  /** Absolute path of a stored delivery file, or undefined when it is not in the library. */
  filePath(id: string): string | undefined;
  /** Where uploads are written before import. */
  uploadDir: string;
}

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
  verifier: SecretVerifier;
  metrics: Registry;
  ffmpeg: FfmpegLocation;
  version: string;
  startedAt: number;
  /** Text-to-speech and file announcements (hub/announce/); absent in apps built without them. */
  announce?: AnnounceService;
}
