// Runs inside a private network namespace (see tests/sim-camera-onvif-util.test.ts): starts simulated
// cameras from dist/ with the multicast WS-Discovery responder on lo, drives onvif-util against them
// asynchronously, and prints one JSON line with what each run said.
import { spawn } from 'node:child_process';
import { startCameras } from '../../dist/firmware-sim/cameras/index.js';
import { silentLogger } from '../../dist/common/logger.js';

function run(args, input) {
  return new Promise((resolve) => {
    const child = spawn('onvif-util', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
    child.stdin.end(input);
  });
}

// The standard ONVIF port (80, the default): root of the namespace may bind it.
const farm = await startCameras({
  count: 3,
  logger: silentLogger(),
  multicastInterface: '127.0.0.1',
  villages: ['Tà Lùng', 'Nà Phia', undefined],
});
try {
  const all = await run(['-a'], '');
  const right = await run(['-u', 'admin', '-p', 'admin', '127.0.1.2'], 'get rtsp\nget profiles\nget time\nquit\n');
  const wrong = await run(['-u', 'admin', '-p', 'not-the-password', '127.0.1.2'], 'get rtsp\nquit\n');
  process.stdout.write(`${JSON.stringify({ all, right, wrong })}\n`);
} finally {
  await farm.stop();
}
