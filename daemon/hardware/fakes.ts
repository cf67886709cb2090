// Stand-ins for the box's hardware, for tests and the simulator: this machine has no mixer, no
// relay and no Raspberry Pi firmware. Each records what it was asked so a test can check it.
import type { Mixer } from './mixer.js';
import type { Relay, RelayState } from './relay.js';
import type { Signal, SignalReader } from './signal.js';
import type { ThrottleReader, Throttled } from './throttle.js';

export class FakeMixer implements Mixer {
  readonly calls: ({ op: 'set'; percent: number } | { op: 'get' })[] = [];
  volume: number | null = null;
  /** Set to make the next setVolume calls fail, like amixer on a missing control. */
  failWith: string | null = null;

  async setVolume(percent: number): Promise<void> {
    this.calls.push({ op: 'set', percent });
    if (this.failWith !== null) throw new Error(this.failWith);
    this.volume = percent;
  }

  async getVolume(): Promise<number | null> {
    this.calls.push({ op: 'get' });
    return this.volume;
  }

  /** The percentages set, in order. */
  get sets(): number[] {
    return this.calls.flatMap((c) => (c.op === 'set' ? [c.percent] : []));
  }
}

export class FakeRelay implements Relay {
  readonly calls: boolean[] = [];
  constructor(public state: RelayState | null = 'off') {}

  get(): RelayState | null {
    return this.state;
  }

  async set(on: boolean): Promise<void> {
    this.calls.push(on);
    this.state = on ? 'on' : 'off';
  }
}

export function fixedThrottle(value: Throttled | null): ThrottleReader {
  return { read: async () => value };
}

export function fixedSignal(value: Signal | null): SignalReader {
  return { read: async () => value };
}
