// Camera alarms, raised and cleared through the hub's AlarmService from what the poller and the
// motion subscriptions find:
//   camera-offline       offline for offlineAlarmAfterSec (timed on the clock from the first failed
//                        poll; at the deadline the camera is checked once more, so a camera that came
//                        back while its retries were backed off raises nothing); cleared when it answers
//   camera-unauthorised  at once; cleared when the credentials work again
//   camera-motion        IsMotion true; cleared by IsMotion false, or when the camera stops answering
import type { Clock, TimerHandle } from '../../common/clock.js';
import { reason, type Reason, type ReasonCode } from '../../common/i18n/reasons.js';
import type { Logger } from '../../common/logger.js';
import type { AlarmService } from '../alarms/service.js';
import type { AlarmSubject } from '../alarms/types.js';
import type { CameraFindings } from '../store/cameras.js';
import { CAMERA_ALARM_KINDS, CAMERA_ALARM_SEVERITY, type CameraAlarmKind } from './types.js';

export interface CameraAlarmsDeps {
  alarms: AlarmService;
  clock: Clock;
  logger: Logger;
  offlineAfterMs: number;
  /** Polls the camera now and gives what it found (null when it is gone or the hub stops). */
  recheck(id: string): Promise<CameraFindings | null>;
}

const camera = (id: string): AlarmSubject => ({ subjectType: 'camera', subjectId: id });

export class CameraAlarms {
  private readonly offline = new Map<string, TimerHandle>();
  private stopped = false;

  constructor(private readonly deps: CameraAlarmsDeps) {}

  stop(): void {
    this.stopped = true;
    for (const t of this.offline.values()) t.cancel();
    this.offline.clear();
  }

  onResult(id: string, after: CameraFindings): void {
    if (after.status === 'offline') {
      if (!this.offline.has(id)) this.armOffline(id, after.statusSince ?? this.deps.clock.now(), after.reasons[0] ?? null);
      this.clear('camera-motion', id, 'camera.motion-unknown-offline');
      return;
    }
    // It answered: whatever else is wrong, it is not offline.
    this.disarmOffline(id);
    this.clear('camera-offline', id, 'alarm.back-online');
    if (after.status === 'unauthorised') {
      this.raise('camera-unauthorised', id, after.reasons[0] ?? reason('camera.unauthorised', { via: '?' }));
      this.clear('camera-motion', id, 'camera.motion-unknown-unauthorised');
    } else if (after.status === 'online' || after.status === 'degraded') {
      this.clear('camera-unauthorised', id, 'camera.credentials-accepted');
    }
  }

  /** `topic`: the camera's event topic, e.g. RuleEngine/CellMotionDetector/Motion. */
  onMotion(id: string, motion: boolean, topic: string): void {
    if (motion) this.raise('camera-motion', id, reason('camera.motion', { topic }));
    else this.clear('camera-motion', id, 'camera.motion-over');
  }

  /** The camera was removed: its timers go and its open alarms are cleared. */
  removed(id: string): void {
    this.disarmOffline(id);
    for (const kind of CAMERA_ALARM_KINDS) this.clear(kind, id, 'camera.removed');
  }

  private armOffline(id: string, since: number, why: Reason | null): void {
    const due = since + this.deps.offlineAfterMs - this.deps.clock.now();
    if (this.deps.offlineAfterMs === 0) {
      this.raise('camera-offline', id, why ?? reason('camera.offline'));
      this.offline.set(id, { cancel() {} });
      return;
    }
    const timer = this.deps.clock.setTimeout(
      () => {
        if (this.offline.get(id) !== timer || this.stopped) return;
        // Look once more before raising: the last poll may be a backoff interval old.
        void this.deps
          .recheck(id)
          .then((f) => {
            if (this.offline.get(id) !== timer || this.stopped) return;
            if (f?.status !== 'offline') return void this.offline.delete(id);
            // The entry stays until it answers, so later failed polls do not arm (and recheck) again.
            this.raise('camera-offline', id, f.reasons[0] ?? why ?? reason('camera.offline'));
          })
          .catch((e: unknown) => this.deps.logger.error({ cameraId: id, err: e }, 'camera offline check failed'));
      },
      Math.max(0, due),
    );
    this.offline.set(id, timer);
  }

  private disarmOffline(id: string): void {
    this.offline.get(id)?.cancel();
    this.offline.delete(id);
  }

  private raise(kind: CameraAlarmKind, id: string, why: Reason): void {
    if (this.stopped) return;
    this.deps.alarms.raise({ kind, severity: CAMERA_ALARM_SEVERITY[kind], ...camera(id), reason: why });
  }

  private clear(kind: CameraAlarmKind, id: string, code: ReasonCode): void {
    if (this.stopped) return;
    this.deps.alarms.clear(kind, camera(id), { reason: reason(code) });
  }
}
