// The command id and sequence of a payload a device did not act on (invalid, or not signed by the
// hub), when they can be read and would be valid in an ack: the hub then learns that its command
// was refused instead of waiting for it to expire. Shared by loa-edge and the simulator.
import { ackSchema } from './schemas.js';

export function readableCommandRef(payload: Buffer | string): { id: string; seq: number } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const { id, seq } = raw as { id?: unknown; seq?: unknown };
  if (!ackSchema.shape.cmdId.safeParse(id).success) return null;
  return { id: id as string, seq: ackSchema.shape.seq.safeParse(seq).success ? (seq as number) : 0 };
}
