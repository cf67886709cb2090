// Link quality: Wi-Fi signal level from /proc/net/wireless, or else the cellular modem's RSSI from
// ModemManager (`mmcli`). Village boxes hang on one or the other; the hub shows the dBm so a
// technician knows whether to move an antenna before the link starts dropping.
import { readFile } from 'node:fs/promises';
import type { Health } from '../../protocol/index.js';
import type { SystemTool } from './tool.js';

export type Signal = NonNullable<Health['signal']>;

export interface SignalReader {
  /** null where there is neither a Wi-Fi interface nor a modem that reports its signal. */
  read(): Promise<Signal | null>;
}

/** Signal level (dBm) of the first associated interface in /proc/net/wireless, or null.
 *  Columns: `wlan0: <status> <link>. <level>. <noise>. ...`; old drivers give the level as an
 *  unsigned byte (204 for -52 dBm), new ones as a negative number; 0 means not associated. */
export function parseProcNetWireless(text: string): number | null {
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*[^:\s]+:\s+\S+\s+(-?[\d.]+)\s+(-?[\d.]+)/.exec(line);
    if (!m?.[2]) continue;
    let level = Number.parseFloat(m[2]);
    if (!Number.isFinite(level) || level === 0) continue;
    if (level > 0) level -= 256;
    if (level < -150 || level >= 0) continue;
    return Math.round(level);
  }
  return null;
}

/** RSSI (dBm) from `mmcli -m 0 --signal-get --output-keyvalue`, e.g. `modem.signal.lte.rssi : -71.00`;
 *  null when ModemManager has no figures (signal polling off: `mmcli -m 0 --signal-setup=30`). */
export function parseMmcliSignal(text: string): number | null {
  for (const tech of ['5g', 'lte', 'umts', 'evdo', 'cdma1x', 'gsm']) {
    const key = tech === '5g' ? 'rsrp' : 'rssi';
    const m = new RegExp(`^modem\\.signal\\.${tech}\\.${key}\\s*:\\s*(-?[\\d.]+)\\s*$`, 'm').exec(text);
    const dbm = m?.[1] === undefined ? NaN : Number.parseFloat(m[1]);
    if (Number.isFinite(dbm) && dbm < 0 && dbm >= -150) return Math.round(dbm);
  }
  return null;
}

export interface SystemSignalOptions {
  wirelessFile?: string;
  /** ModemManager's CLI; null to not look for a modem at all. */
  mmcli: SystemTool | null;
  modemIndex?: number;
}

/** The real reader: Wi-Fi first (a box with Wi-Fi up uses it), then the modem. */
export function systemSignal(opts: SystemSignalOptions): SignalReader {
  const wirelessFile = opts.wirelessFile ?? '/proc/net/wireless';
  return {
    async read() {
      const wifi = await readFile(wirelessFile, 'utf8').then(parseProcNetWireless, () => null);
      if (wifi !== null) return { kind: 'wifi', dbm: wifi };
      if (!opts.mmcli) return null;
      const out = await opts.mmcli.quietly(['-m', String(opts.modemIndex ?? 0), '--signal-get', '--output-keyvalue']);
      const cell = out === null ? null : parseMmcliSignal(out);
      return cell === null ? null : { kind: 'cellular', dbm: cell };
    },
  };
}
