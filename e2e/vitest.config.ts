import { defineConfig } from 'vitest/config'

// One stack (Worker, s3rver, two agents) is started per test file and its tests run in order, so
// files never run side by side and the timeouts leave room for a 30 s stale-agent window.
export default defineConfig({
  test: {
    include: ['test/**/*.e2e.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
})
