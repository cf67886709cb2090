// The box's hardware as the config describes it: the real mixer and relay, or none when the config
// leaves them out (then volume is ffmpeg gain and health has no relay field).
import type { Logger } from '../../common/logger.js';
import type { EdgeConfig } from '../config.js';
import { AmixerMixer, type Mixer } from './mixer.js';
import { SysfsRelay, type Relay } from './relay.js';

export type { Mixer } from './mixer.js';
export type { Relay, RelayState } from './relay.js';

export function mixerFromConfig(config: EdgeConfig, logger: Logger): Mixer | null {
  return config.mixer ? new AmixerMixer({ card: config.mixer.card, control: config.mixer.control, logger }) : null;
}

export function relayFromConfig(config: EdgeConfig, logger: Logger): Relay | null {
  return config.relay ? new SysfsRelay({ gpio: config.relay.gpio, activeLow: config.relay.activeLow, logger }) : null;
}
