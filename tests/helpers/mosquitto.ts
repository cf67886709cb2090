// A real Mosquitto 2 for a test, through the one launcher in harness/mosquitto.ts (the config
// docs/external-broker.md recommends, on free 127.0.0.1 ports). What is test-specific is here: the
// inspection listener is always on and the log records connections, refusals and reloads.
import { startMosquitto as launch, type MosquittoOptions as LaunchOptions, type MosquittoProcess } from '../../harness/mosquitto.js';

export type MosquittoOptions = Omit<LaunchOptions, 'inspect' | 'verboseLog'>;

export interface RunningMosquitto extends MosquittoProcess {
  /** A test-only listener that keeps the client id a client sends (see MosquittoProcess.inspectUrl). */
  inspectUrl: string;
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const m = await launch({ ...opts, inspect: true, verboseLog: true });
  return { ...m, inspectUrl: m.inspectUrl! };
}
