// Plausible made-up health readings of a Raspberry-Pi-class box, drifting a little from one
// report to the next, so dashboards and the hub's health store see lifelike data.
import { PROTOCOL_VERSION, type Health } from '../protocol/index.js';

export interface SimulatedHardware {
  bootedAt: number;
  memTotalMb: number;
  /** Drifting baselines, updated on each reading. */
  tempC: number;
  memFreeMb: number;
  diskFreeMb: number;
}

export function makeHardware(now: number, random: () => number): SimulatedHardware {
  const memTotalMb = random() < 0.5 ? 926 : 1848; // what `free -m` says on 1 GB and 2 GB boards
  return {
    // Boxes have been up between a few minutes and a couple of weeks.
    bootedAt: now - Math.round(300_000 + random() * 14 * 86_400_000),
    memTotalMb,
    tempC: 42 + random() * 10,
    memFreeMb: memTotalMb * (0.45 + random() * 0.2),
    diskFreeMb: 4_000 + random() * 20_000,
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function readHealth(
  hw: SimulatedHardware,
  now: number,
  player: Health['player'],
  lastError: string | null,
  agent: string,
  random: () => number,
): Health {
  const playing = player === 'playing';
  // Random walk towards a target that is warmer and busier while audio is being decoded.
  const targetTemp = playing ? 58 : 47;
  hw.tempC = clamp(hw.tempC + (targetTemp - hw.tempC) * 0.2 + (random() - 0.5) * 2, 30, 85);
  hw.memFreeMb = clamp(hw.memFreeMb + (random() - 0.5) * 20, hw.memTotalMb * 0.2, hw.memTotalMb * 0.8);
  hw.diskFreeMb = Math.max(100, hw.diskFreeMb - random() * 0.5);
  return {
    v: PROTOCOL_VERSION,
    at: now,
    uptimeS: Math.max(0, Math.round((now - hw.bootedAt) / 1000)),
    cpuTempC: round1(hw.tempC),
    load1: Math.round(((playing ? 0.45 : 0.08) + random() * 0.25) * 100) / 100,
    memFreeMb: Math.round(hw.memFreeMb),
    memTotalMb: hw.memTotalMb,
    diskFreeMb: Math.round(hw.diskFreeMb),
    player,
    lastError,
    agent,
  };
}
