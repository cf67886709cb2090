// Listening sockets a service manager opened and handed over (systemd socket activation, the
// sd_listen_fds(3) convention): with systemd/loa-hub.socket the MQTT port stays open while the hub
// restarts, so a returning box's connection waits in the kernel's queue instead of being refused,
// and its reconnect backoff does not grow (docs/install.md, "Socket activation").

/** The first file descriptor a service manager passes (after stdin, stdout and stderr). */
const FIRST_FD = 3;

/**
 * The listeners passed to this process, by name (`FileDescriptorName=` in the socket unit; fdN
 * when unnamed). Empty when none were, or when they were meant for another process (LISTEN_PID).
 * The variables are removed, so that a child process (ffmpeg) does not take them for its own.
 */
export function inheritedListeners(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): ReadonlyMap<string, number> {
  const count = Number(env.LISTEN_FDS);
  const mine = env.LISTEN_PID === String(pid);
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  delete env.LISTEN_FDS;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDNAMES;
  const out = new Map<string, number>();
  if (!mine || !Number.isInteger(count) || count < 1 || count > 64) return out;
  for (let i = 0; i < count; i++) out.set(names[i] || `fd${i}`, FIRST_FD + i);
  return out;
}
