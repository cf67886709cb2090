// `alarms:` in the hub config: when cluster alarms are raised; each clears itself when its condition goes.
import { z } from 'zod';

export const alarmSettingsSchema = z.strictObject({
  /** A cluster offline for longer than this raises `cluster-offline`; a shorter blip raises nothing. */
  offlineMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .default(5),
  /** A CPU temperature over this raises `temperature`… */
  temperatureC: z.number().min(0).max(150).default(75),
  /** …which clears only below the limit minus this, so a reading hovering at the limit does not flap. */
  temperatureHysteresisC: z.number().min(0).max(50).default(5),
  /** Media the plan needs still missing from a box's cache this long raises `cache-insufficient`
   *  (shorter is ordinary prefetching after a new plan). */
  cacheGraceMinutes: z
    .number()
    .min(0)
    .max(24 * 60)
    .default(10),
});

export type AlarmSettings = z.output<typeof alarmSettingsSchema>;
