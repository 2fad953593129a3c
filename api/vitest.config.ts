import { createServer, type AddressInfo } from 'node:net'
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

const root = path.resolve(import.meta.dirname, '..')
const UNIT_TESTS = '{src,test}/**/*.unit.test.ts'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo
        server.close(() => resolve(port))
      })
  })
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, 'migrations'))
  // A real S3-compatible server for the Worker under test; global-setup.ts starts it on this port.
  const s3Port = await freePort()
  process.env.TSEEDER_TEST_S3_PORT = String(s3Port)
  // The tests' alert webhook receiver (test/alert-receiver.ts), started by global-setup.ts.
  const alertPort = await freePort()
  process.env.TSEEDER_TEST_ALERT_PORT = String(alertPort)
  // The tests' stand-in for users' webhook endpoints (test/webhook-receiver.ts), same way.
  const webhookPort = await freePort()
  process.env.TSEEDER_TEST_WEBHOOK_PORT = String(webhookPort)
  // Seeds the tests' shuffles (internal.test.ts); a failing order replays with the same seed.
  const testSeed = process.env.TEST_SEED ?? String(Math.floor(Math.random() * 2 ** 31))
  console.log(`test shuffle seed ${testSeed} (replay with TEST_SEED=${testSeed})`)
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: path.join(root, 'wrangler.toml') },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TURNSTILE_SECRET: '',
                  S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
                  S3_ACCESS_KEY_ID: 'S3RVER',
                  S3_SECRET_ACCESS_KEY: 'S3RVER',
                  R2_API_TOKEN: '',
                  AGENT_SIGNING_KEY: 'test-agent-signing-key',
                  LINK_SIGNING_KEY: 'test-link-signing-key',
                  STORED_SECRETS_KEY: 'test-stored-secrets-key',
                  VAPID_PRIVATE_KEY: '',
                  // The tests' stand-in push service (its fetch is intercepted: see notify.test.ts).
                  PUSH_SERVICE_HOSTS: 'push.example.test',
                  ALERT_WEBHOOK_URL: `http://127.0.0.1:${alertPort}/hook`,
                  ALERT_WEBHOOK_SECRET: 'test-alert-webhook-secret',
                  // Users' webhooks must be public https hosts; the tests' receiver is allowed
                  // here only (production ignores this var: webhooks/endpoint-rules.ts).
                  WEBHOOK_LOCAL_HOSTS: '127.0.0.1',
                  TEST_WEBHOOK_RECEIVER: `http://127.0.0.1:${webhookPort}`,
                  TEST_SEED: testSeed,
                },
              },
            }),
          ],
          test: {
            name: 'workers',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: [UNIT_TESTS],
            setupFiles: ['./test/apply-migrations.ts'],
            globalSetup: ['./test/global-setup.ts'],
            silent: 'passed-only' as const,
            testTimeout: 30_000,
          },
        },
        // Pure modules (the lifecycle core) are tested in Node, without workerd.
        { test: { name: 'unit', include: [UNIT_TESTS], environment: 'node' as const } },
      ],
    },
  }
})
