// The hand-over from one item to the next on the box, with the timing forced: the first item ends
// by itself in the moment the next one waits for its exact startAt (its startup lead dropped so as
// not to cut the first). A CI run hit this by chance: the waiting item, promoted to current when
// the first ended, then "replaced" itself and was acked stopped at positionMs 0, never played.
// The player is a stand-in here (what ffmpeg does is covered by daemon-replace); the Playback
// logic and its clock are the real ones.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PlayCommand } from '../protocol/index.js';
import { Playback, type AckInput } from '../daemon/playback/playback.js';
import type { Player, PlayerEvents, PlayerSession, PlayRequest } from '../daemon/playback/player.js';
import { silentLogger } from '../common/logger.js';
import { FakeClock } from './helpers/fake-clock.js';

class StandInSession extends EventEmitter<PlayerEvents> implements PlayerSession {
  stopped = false;
  constructor(readonly req: PlayRequest) {
    super();
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

class StandInPlayer implements Player {
  readonly sessions: StandInSession[] = [];
  play(req: PlayRequest): PlayerSession {
    const s = new StandInSession(req);
    this.sessions.push(s);
    // ffmpeg's first sample comes a moment after the spawn.
    queueMicrotask(() => s.emit('started'));
    return s;
  }
  of(broadcastId: string): StandInSession | undefined {
    return this.sessions.find((s) => s.req.broadcastId === broadcastId);
  }
}

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const settle = () => new Promise<void>((r) => setImmediate(r));

function play(seq: number, broadcastId: string, startAt: number, durationMs: number): PlayCommand {
  return {
    v: 1,
    id: `c${seq}`,
    seq,
    type: 'play',
    issuedAt: T0,
    expiresAt: T0 + 60_000,
    broadcastId,
    media: { id: `${'a'.repeat(63)}${seq}`, url: `/m/${seq}`, bytes: 100, durationMs, format: 'ogg/opus' },
    startAt,
    offsetMs: 0,
    sig: 'x',
  } as PlayCommand;
}

function rig(leadMs: number) {
  const clock = new FakeClock(T0);
  const player = new StandInPlayer();
  const acks: AckInput[] = [];
  const playback = new Playback({
    player,
    media: { ensure: async (m) => `/cache/${m.id}` },
    clock,
    logger: silentLogger(),
    ack: (a) => acks.push(a),
    volume: () => 80,
    onChange: () => {},
    startupLeadMs: () => leadMs,
  });
  const statuses = (cmdId: string) => acks.filter((a) => a.cmdId === cmdId).map((a) => a.status + (a.reason ? `:${a.reason}` : ''));
  return { clock, player, acks, playback, statuses };
}

describe('Playback hand-over at the next startAt', () => {
  it('the next item plays when the first ends by itself while the next waits for its exact startAt', async () => {
    const { clock, player, playback, statuses } = rig(200);
    const a = play(1, 'whole-a', T0 + 1000, 1500);
    const b = play(2, 'whole-b', a.startAt + 1500, 2000);
    await playback.play(a);
    await clock.runUntil(a.startAt + 10, settle);
    expect(statuses(a.id)).toEqual(['started']);
    await playback.play(b);
    // B wakes its lead early, sees A ends at B's startAt, and waits for the startAt itself.
    await clock.runUntil(b.startAt - 100, settle);
    // A's ffmpeg reaches the end of its media a few ms before B's startAt.
    player.of('whole-a')!.emit('ended');
    await settle();
    expect(statuses(a.id)).toEqual(['started', 'finished']);
    await clock.runUntil(b.startAt + 10, settle);
    expect(statuses(b.id)).toEqual(['started']);
    expect(player.of('whole-b')?.stopped).toBe(false);
    expect(player.of('whole-b')?.req.seekMs).toBeLessThan(50);
    player.of('whole-b')!.emit('ended');
    await settle();
    expect(statuses(b.id)).toEqual(['started', 'finished']);
  });

  it('when the first is still playing at the next startAt, it is replaced then, and the next plays', async () => {
    const { clock, player, playback, statuses } = rig(200);
    // A's media runs 300 ms past B's startAt (the plan says B takes over there).
    const a = play(1, 'long-a', T0 + 1000, 1800);
    const b = play(2, 'long-b', a.startAt + 1500, 2000);
    await playback.play(a);
    await clock.runUntil(a.startAt + 10, settle);
    await playback.play(b);
    await clock.runUntil(b.startAt + 300, settle);
    expect(statuses(a.id)).toEqual(['started', 'stopped:replaced']);
    expect(statuses(b.id)).toEqual(['started']);
    expect(player.of('long-b')?.stopped).toBe(false);
  });
});
