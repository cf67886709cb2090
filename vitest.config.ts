// Test runner settings: suites start real hubs, brokers and child processes, so they get
// generous timeouts and run in forked workers (each with its own ports and data dirs).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
