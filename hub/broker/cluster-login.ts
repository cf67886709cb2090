// One gate for every cluster login, MQTT (broker.ts) and HTTP Basic (media, live) alike. A right
// secret passes at once; every refusal is answered only after the throttle's delay, so guessing is
// slow while the right box behind the same address is not held up (docs/security.md).
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import { isClusterId } from '../../protocol/index.js';
import { LoginThrottle } from './login-throttle.js';
import type { SecretCheck, SecretVerifier } from './secrets.js';

export interface ClusterLoginDeps {
  verifier: SecretVerifier;
  clock: Clock;
  logger: Logger;
  auth: { failureDelayMs: number; failureDelayMaxMs: number };
  /** Refusals held back at once; past this they are answered at once (each costs a socket). */
  maxHeld?: number;
}

export class ClusterLogin {
  private readonly throttle: LoginThrottle;
  /** Refusals being held back: released at once when the hub stops, so it does not wait on them. */
  private readonly held = new Set<{ timer: TimerHandle; release: () => void }>();
  private stopped = false;

  constructor(private readonly deps: ClusterLoginDeps) {
    this.throttle = new LoginThrottle(deps.clock, { baseDelayMs: deps.auth.failureDelayMs, maxDelayMs: deps.auth.failureDelayMaxMs });
  }

  /** Checks a cluster's secret; `wrong` comes back only after the failure delay. */
  async check(clusterId: string, secret: string | undefined, remote: string, via: 'mqtt' | 'http'): Promise<SecretCheck> {
    const result = secret === undefined ? 'wrong' : await this.deps.verifier.verify(clusterId, secret);
    if (result === 'ok') this.throttle.succeed([`id:${clusterId}`]);
    if (result === 'wrong') await this.refuse(clusterId, remote, 'wrong secret or unknown cluster', via);
    return result;
  }

  /** Counts a refused login (of any cause) and waits out its delay before the caller answers. */
  async refuse(clusterId: string, remote: string, why: string, via: 'mqtt' | 'http'): Promise<void> {
    // A name that is no cluster id shares one entry: 50,000 long made-up names would fill memory.
    const id = isClusterId(clusterId) ? clusterId : '';
    const { failures, delayMs } = this.throttle.fail([`ip:${remote}`, `id:${id}`]);
    // Logged at the 1st, 2nd, 4th, 8th … failure of a run: a flood of guesses is not a flood of lines.
    if ((failures & (failures - 1)) === 0) {
      this.deps.logger.warn({ clusterId: id || undefined, remote, via, failures, delayMs, why }, 'cluster login refused');
    }
    if (delayMs <= 0 || this.stopped || this.held.size >= (this.deps.maxHeld ?? 2000)) return;
    await new Promise<void>((resolve) => {
      const entry = {
        timer: this.deps.clock.setTimeout(() => entry.release(), delayMs),
        release: () => {
          this.held.delete(entry);
          resolve();
        },
      };
      this.held.add(entry);
    });
  }

  /** Answers every held refusal now and holds no more (the hub is stopping). */
  stop(): void {
    this.stopped = true;
    for (const entry of [...this.held]) {
      entry.timer.cancel();
      entry.release();
    }
  }
}
