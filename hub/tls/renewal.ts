// Keeps the hub's own server certificate fresh while the hub runs: once a day it is checked (as
// at start: near its end, names changed) and, when a new one was made, handed to the running TLS
// servers, so a hub that is never restarted does not serve an expired certificate. The CA never
// changes here. An operator's own certificate is left alone (they renew it and restart).
import type { Clock, TimerHandle } from '../../common/clock.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { DAY_MS, loadHubTls, type HubTls, type TlsSettings } from './pki.js';

export interface CertificateRenewalDeps {
  dataDir: string;
  settings: TlsSettings;
  clock: Clock;
  logger: Logger;
  /** The certificate in use now. */
  current: () => HubTls;
  /** Gives a new certificate to every TLS server (secure contexts swapped; open connections stay). */
  install: (tls: HubTls) => void;
}

export class CertificateRenewal {
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(private readonly deps: CertificateRenewalDeps) {}

  start(): void {
    if (this.deps.current().source !== 'own') return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.deps.clock.setTimeout(() => void this.check().finally(() => this.schedule()), DAY_MS);
  }

  private async check(): Promise<void> {
    const d = this.deps;
    try {
      const next = await loadHubTls({ dataDir: d.dataDir, settings: d.settings, clock: d.clock, logger: d.logger });
      if (!next.cert.equals(d.current().cert) && !this.stopped) {
        d.install(next);
        d.logger.info('the renewed server certificate is in use');
      }
    } catch (err) {
      // The old certificate stays in use; tomorrow's check tries again.
      d.logger.error({ err: errorMessage(err) }, "could not renew the hub's server certificate");
    }
  }
}
