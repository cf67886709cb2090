// Finds external tools that tests drive. With CI=true a missing tool is an error, never a skip:
// .ci/run installs them.
import { spawnSync } from 'node:child_process';
import { findPython } from '../../firmware-sim/cameras/rtsp-process.js';

export function requireTool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  if (!found && process.env.CI === 'true') throw new Error(`${name} is not installed; .ci/run must install it (CI=true forbids skipping)`);
  return found;
}

/** Whether a Python with GStreamer's RTSP server is here (the simulated cameras' video); with CI=true its absence is an error. */
export function requireGstRtsp(): boolean {
  try {
    findPython();
    return true;
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    return false;
  }
}
