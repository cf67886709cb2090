// `dispatch:` in the hub config: how far ahead the broadcast ledger sends commands and how long a box has to answer.
import { z } from 'zod';

export const dispatchSettingsSchema = z.strictObject({
  /** Commands go out this long before their start time, so every cluster starts together. */
  leadMs: z.number().int().min(0).default(3000),
  /** A device refuses a command this long after it was issued. */
  commandTtlMs: z.number().int().min(1000).default(60_000),
  /** Grace after an item's expected end before a silent box is given up as "expired". */
  finishGraceMs: z.number().int().min(0).default(30_000),
  /** Joining an item under way (restart, a box back online, after an emergency) starts this far ahead. */
  joinLeadMs: z.number().int().min(200).default(1500),
  /** An emergency goes on air this long after it is started (time for the boxes to fetch). */
  emergencyLeadMs: z.number().int().min(200).default(1500),
  /** An announcement (`loa announce`) goes on air this long after its speech is imported: short,
   *  since the operator waits, and the boxes fetch only a few tens of KB (bench `live`). */
  announceLeadMs: z.number().int().min(200).default(800),
});

export type DispatchSettings = z.output<typeof dispatchSettingsSchema>;
