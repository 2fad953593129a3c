import type { D1Migration } from 'cloudflare:test'

declare global {
  namespace Cloudflare {
    interface Env {
      /** Set by vitest.config.ts: the migrations the setup file applies to the test D1. */
      TEST_MIGRATIONS: D1Migration[]
      /** Set by vitest.config.ts: the seed of the tests' shuffles (`TEST_SEED` in the environment). */
      TEST_SEED: string
      /** Set by vitest.config.ts: the origin of test/webhook-receiver.ts. */
      TEST_WEBHOOK_RECEIVER: string
    }
  }
}
