// The one source of time for hub, daemon and simulator. Everything that waits or stamps takes a
// Clock, so tests can replace it (see tests/helpers) and run a whole broadcast day in seconds.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch, as this clock sees it. */
  now(): number;
  /** Calls fn once after ms milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock offset from another by a fixed amount: a device whose clock is wrong. */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return {
    now: () => base.now() + offsetMs,
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
  };
}

/** Resolves after ms of the given clock's time. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/**
 * A clock whose timers cannot stop the process: a callback that throws, or whose promise
 * rejects, is handed to `onError` (the hub logs it) instead of becoming an uncaught error.
 * Timers are where device-driven work runs later (a scheduled item, a broadcast's send).
 */
export function containedClock(base: Clock, onError: (err: unknown) => void): Clock {
  return {
    now: () => base.now(),
    setTimeout: (fn, ms) =>
      base.setTimeout(() => {
        try {
          const r = (fn as () => unknown)();
          if (r instanceof Promise) r.catch(onError);
        } catch (err) {
          onError(err);
        }
      }, ms),
  };
}
