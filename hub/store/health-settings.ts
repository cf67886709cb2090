// How many health samples the hub keeps (`health:` in the hub config). A box reports every 30 s;
// a hostile or broken one may report thousands of times a second, and nothing else bounds the table.
import { z } from 'zod';

export const healthSettingsSchema = z
  .strictObject({
    /** At most one stored sample per box per this many seconds; the latest is always shown. */
    minIntervalSec: z.number().min(0).max(3600).default(20),
    /** Every stored sample is kept this long… */
    detailDays: z.number().positive().max(3650).default(7),
    /** …then thinned to the first sample of each box in each period of this many minutes… */
    downsampleMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    /** …and deleted after this many days (at least detailDays). */
    retentionDays: z.number().positive().max(3650).default(90),
  })
  .refine((s) => s.retentionDays >= s.detailDays, { path: ['retentionDays'], message: 'must be at least health.detailDays' });

export type HealthSettings = z.infer<typeof healthSettingsSchema>;

export const defaultHealthSettings = (): HealthSettings => healthSettingsSchema.parse({});
