// The box's hardware readers and controls: throttling (vcgencmd), signal (/proc/net/wireless,
// mmcli), the ALSA mixer (amixer), the amplifier relay (sysfs GPIO) and the volume logic on top.
// This machine has none of that hardware, so the real implementations run against stand-ins:
// small scripts in place of the tools, a directory laid out like /sys/class/gpio, FakeMixer.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../common/logger.js';
import { FakeMixer, FakeRelay } from '../daemon/hardware/fakes.js';
import { AmixerMixer, parseAmixerVolume } from '../daemon/hardware/mixer.js';
import { SysfsRelay } from '../daemon/hardware/relay.js';
import { parseMmcliSignal, parseProcNetWireless, systemSignal } from '../daemon/hardware/signal.js';
import { parseThrottled, vcgencmdThrottle } from '../daemon/hardware/throttle.js';
import { SystemTool } from '../daemon/hardware/tool.js';
import { VolumeControl } from '../daemon/hardware/volume.js';
import { makeTempDir } from './helpers/tmp.js';

const tmp = makeTempDir('loa-daemon-hardware-');
afterAll(() => tmp.remove());

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) =>
    c
      .toString()
      .split('\n')
      .filter(Boolean)
      .forEach((l) => {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }),
  );
  return { lines, logger: createLogger({ name: 'hw', level: 'debug', destination: stream }) };
}
const flush = () => new Promise((r) => setTimeout(r, 20));

/** A stand-in tool: records each call's arguments in `<name>.calls`, prints `out`, exits `code`. */
function standIn(name: string, out: string, code = 0): { path: string; calls: () => string[] } {
  const path = join(tmp.path, name);
  const calls = `${path}.calls`;
  writeFileSync(calls, '');
  writeFileSync(path, `#!/bin/sh\necho "$*" >> '${calls}'\ncat <<'EOF'\n${out}\nEOF\nexit ${code}\n`);
  chmodSync(path, 0o755);
  return { path, calls: () => readFileSync(calls, 'utf8').split('\n').filter(Boolean) };
}

describe('throttling (vcgencmd get_throttled)', () => {
  it('reads now from bits 0 and 2 and since-boot from bits 16 and 18', () => {
    expect(parseThrottled('throttled=0x50005\n')).toEqual({ now: true, sinceBoot: true, raw: '0x50005' });
    expect(parseThrottled('throttled=0x0')).toEqual({ now: false, sinceBoot: false, raw: '0x0' });
    expect(parseThrottled('throttled=0x50000')).toEqual({ now: false, sinceBoot: true, raw: '0x50000' });
    expect(parseThrottled('throttled=0x4')).toMatchObject({ now: true, sinceBoot: false });
    expect(parseThrottled('throttled=0x1')).toMatchObject({ now: true, sinceBoot: false });
    expect(parseThrottled('throttled=0x40000')).toMatchObject({ now: false, sinceBoot: true });
    // Frequency capping alone (bit 1) is not "throttled" in the sense the hub alarms on.
    expect(parseThrottled('throttled=0x2')).toMatchObject({ now: false, sinceBoot: false });
    expect(parseThrottled('VCHI initialization failed')).toBeNull();
  });

  it('runs vcgencmd; without it the reading is absent, said once, and the tool is not run again', async () => {
    const tool = standIn('vcgencmd', 'throttled=0x50005');
    const { logger } = capture();
    expect(await vcgencmdThrottle(new SystemTool({ path: tool.path, logger })).read()).toEqual({ now: true, sinceBoot: true, raw: '0x50005' });
    expect(tool.calls()).toEqual(['get_throttled']);

    const cap = capture();
    const missing = new SystemTool({ path: join(tmp.path, 'no-such-vcgencmd'), logger: cap.logger });
    const reader = vcgencmdThrottle(missing);
    for (let i = 0; i < 3; i++) expect(await reader.read()).toBeNull();
    expect(missing.isMissing).toBe(true);
    await flush();
    expect(cap.lines.filter((l) => l.msg === 'tool not installed; that reading is left out')).toHaveLength(1);

    // A tool that fails (no access to /dev/vchiq) is logged once per distinct complaint, not per read.
    const failing = standIn('vcgencmd-denied', 'VCHI initialization failed', 255);
    const cap2 = capture();
    const denied = vcgencmdThrottle(new SystemTool({ path: failing.path, logger: cap2.logger }));
    for (let i = 0; i < 3; i++) expect(await denied.read()).toBeNull();
    await flush();
    expect(cap2.lines.filter((l) => l.level === 40)).toHaveLength(1);
    expect(failing.calls()).toHaveLength(3);
  });
});

describe('signal strength', () => {
  const header =
    'Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n face | tus | link level noise |  nwid  crypt   frag  retry   misc | ' +
    'beacon | 22\n';
  it('parses /proc/net/wireless in dBm, also the unsigned-byte form of old drivers', () => {
    expect(parseProcNetWireless(`${header} wlan0: 0000   58.  -52.  -256        0      0      0      0     11        0\n`)).toBe(-52);
    expect(parseProcNetWireless(`${header} wlan0: 0000   40.  187.  0        0      0      0      0     0        0\n`)).toBe(-69);
    expect(parseProcNetWireless(header)).toBeNull();
    expect(parseProcNetWireless(`${header} wlan0: 0000    0.    0.  -256        0      0      0      0      0        0\n`)).toBeNull();
  });

  it('parses mmcli key-value output, preferring the newest technology with a figure', () => {
    const out =
      'modem.signal.refresh.rate : 30\nmodem.signal.5g.rsrp : --\nmodem.signal.lte.rssi : -71.00\nmodem.signal.lte.rsrp : -101.00\nmodem.signal.gsm.rssi : ' +
      '--\n';
    expect(parseMmcliSignal(out)).toBe(-71);
    expect(parseMmcliSignal('modem.signal.refresh.rate : 0\nmodem.signal.lte.rssi : --\n')).toBeNull();
  });

  it('reads Wi-Fi first, then the modem; neither means no reading', async () => {
    const wireless = join(tmp.path, 'wireless');
    writeFileSync(wireless, `${header} wlan0: 0000   58.  -61.  -256        0      0      0      0     11        0\n`);
    const { logger } = capture();
    const mmcli = standIn('mmcli', 'modem.signal.lte.rssi : -83.00');
    expect(await systemSignal({ wirelessFile: wireless, mmcli: new SystemTool({ path: mmcli.path, logger }) }).read()).toEqual({ kind: 'wifi', dbm: -61 });
    expect(mmcli.calls()).toEqual([]);
    const noWifi = join(tmp.path, 'no-wireless');
    expect(await systemSignal({ wirelessFile: noWifi, mmcli: new SystemTool({ path: mmcli.path, logger }) }).read()).toEqual({ kind: 'cellular', dbm: -83 });
    expect(mmcli.calls()).toEqual(['-m 0 --signal-get --output-keyvalue']);
    expect(await systemSignal({ wirelessFile: noWifi, mmcli: new SystemTool({ path: join(tmp.path, 'no-mmcli'), logger }) }).read()).toBeNull();
  });
});

describe('mixer (amixer)', () => {
  it('sets and reads the configured card and control', async () => {
    const amixer = standIn('amixer', "Simple mixer control 'Digital',0\n  Mono: Playback 150 [73%] [-10.00dB] [on]");
    const { logger } = capture();
    const mixer = new AmixerMixer({ card: '1', control: 'Digital', logger, amixerPath: amixer.path });
    await mixer.setVolume(55);
    await mixer.setVolume(140);
    expect(await mixer.getVolume()).toBe(73);
    expect(amixer.calls()).toEqual(['-q -c 1 sset Digital 55%', '-q -c 1 sset Digital 100%', '-c 1 sget Digital']);
    expect(parseAmixerVolume('  Front Left: Playback 65536 [100%] [on]\n  Front Right: Playback 65536 [100%] [on]')).toBe(100);
  });

  it('a failing amixer rejects setVolume with its complaint', async () => {
    const amixer = standIn('amixer-bad', "amixer: Unable to find simple control 'Nope',0", 1);
    const { logger } = capture();
    await expect(new AmixerMixer({ card: '0', control: 'Nope', logger, amixerPath: amixer.path }).setVolume(50)).rejects.toThrow(
      /Unable to find simple control/,
    );
  });

  it('VolumeControl: unity ffmpeg gain with a mixer, writes only changes, in order, logs a failure once', async () => {
    const mixer = new FakeMixer();
    let standing = 80;
    const cap = capture();
    const vc = new VolumeControl({ mixer, standing: () => standing, logger: cap.logger });
    expect(vc.ffmpegVolume(30)).toBe(100);
    await vc.init();
    expect(mixer.calls).toEqual([{ op: 'get' }, { op: 'set', percent: 80 }]);
    await vc.apply(undefined);
    expect(mixer.sets).toEqual([80]);
    // Asked in quick succession: the last one wins, nothing is written out of order.
    void vc.apply(30);
    void vc.apply(90);
    standing = 45;
    await vc.apply(undefined);
    expect(mixer.sets.at(-1)).toBe(45);
    expect(mixer.sets).not.toContain(90);
    mixer.failWith = 'amixer: Mixer attach hw:7 error: No such file or directory';
    expect(await vc.apply(20)).toMatch(/Mixer attach/);
    expect(await vc.apply(21)).toMatch(/Mixer attach/);
    await flush();
    expect(cap.lines.filter((l) => l.msg === 'cannot set the mixer volume')).toHaveLength(1);
    // Without a mixer: volume is ffmpeg gain, nothing to write.
    const plain = new VolumeControl({ mixer: null, standing: () => 70, logger: cap.logger });
    expect(plain.ffmpegVolume(undefined)).toBe(70);
    expect(plain.ffmpegVolume(30)).toBe(30);
    expect(await plain.apply(30)).toBeNull();
  });
});

describe('amplifier relay (GPIO)', () => {
  it('the sysfs relay reads the line (active high or low) and sets direction and level in one write', async () => {
    const root = join(tmp.path, 'gpio');
    mkdirSync(join(root, 'gpio17'), { recursive: true });
    writeFileSync(join(root, 'export'), '');
    writeFileSync(join(root, 'gpio17', 'value'), '1\n');
    const { logger } = capture();
    const relay = new SysfsRelay({ gpio: 17, activeLow: false, logger, root });
    expect(relay.get()).toBe('on');
    expect(new SysfsRelay({ gpio: 17, activeLow: true, logger, root }).get()).toBe('off');
    await relay.set(false);
    expect(readFileSync(join(root, 'gpio17', 'direction'), 'utf8')).toBe('low');
    await new SysfsRelay({ gpio: 17, activeLow: true, logger, root }).set(true);
    expect(readFileSync(join(root, 'gpio17', 'direction'), 'utf8')).toBe('low');
    // Not exported yet: it exports the line and waits for the kernel to make its files.
    const setting = new SysfsRelay({ gpio: 22, activeLow: false, logger, root }).set(true);
    setTimeout(() => {
      mkdirSync(join(root, 'gpio22'));
      writeFileSync(join(root, 'gpio22', 'direction'), 'in');
    }, 60);
    await setting;
    expect(readFileSync(join(root, 'export'), 'utf8')).toBe('22');
    expect(readFileSync(join(root, 'gpio22', 'direction'), 'utf8')).toBe('high');
  });

  it('an unreadable line is null, said once', async () => {
    const cap = capture();
    const relay = new SysfsRelay({ gpio: 5, activeLow: false, logger: cap.logger, root: join(tmp.path, 'no-gpio') });
    expect(relay.get()).toBeNull();
    expect(relay.get()).toBeNull();
    await flush();
    expect(cap.lines.filter((l) => l.level === 40)).toHaveLength(1);
  });

  it('the fake relay (for tests and the simulator) records what it was told', async () => {
    const relay = new FakeRelay('off');
    await relay.set(true);
    expect(relay.get()).toBe('on');
    expect(relay.calls).toEqual([true]);
  });
});
