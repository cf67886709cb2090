// Test runner settings: suites start real hubs, brokers and child processes, so they get
// generous timeouts and run in forked workers (each with its own ports and data dirs).
// Two projects: `default` runs every suite as ever; `mosquitto` runs the radio-core end-to-end,
// the security and transport suites and the returning-box dispatch again with each hub in external broker mode against its own
// real Mosquitto (tests/helpers/hub.ts reads LOA_TEST_BROKER). One alone: `--project mosquitto`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
    // A test CA for the run: test hubs serve TLS with it (tests/helpers/hub.ts).
    globalSetup: ['tests/helpers/global-tls.ts'],
    projects: [
      { extends: true, test: { name: 'default', include: ['tests/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'mosquitto',
          include: ['tests/hub-security.test.ts', 'tests/e2e-edge.test.ts', 'tests/hub-transport.test.ts', 'tests/dispatch-rejoin.test.ts'],
          env: { LOA_TEST_BROKER: 'mosquitto' },
        },
      },
    ],
  },
});
