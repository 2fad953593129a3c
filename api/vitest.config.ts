import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

const root = path.resolve(import.meta.dirname, '..')

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, 'migrations'))
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: path.join(root, 'wrangler.toml') },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TURNSTILE_SECRET: '',
            ADMIN_EMAILS: 'root@tseeder.test',
            S3_ACCESS_KEY_ID: 'S3RVER',
            S3_SECRET_ACCESS_KEY: 'S3RVER',
            R2_API_TOKEN: '',
            AGENT_SIGNING_KEY: 'test-agent-signing-key',
            LINK_SIGNING_KEY: 'test-link-signing-key',
            VAPID_PRIVATE_KEY: '',
          },
        },
      }),
    ],
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      globalSetup: ['./test/global-setup.ts'],
      silent: 'passed-only' as const,
      testTimeout: 30_000,
    },
  }
})
