import { startS3 } from '@tseeder/testkit/s3'
import type { TestProject } from 'vitest/node'
import { startAgentDouble } from './agent-double.ts'
import { startAlertReceiver } from './alert-receiver.ts'
import { startWebhookReceiver } from './webhook-receiver.ts'

export const TEST_AGENT_SIGNING_KEY = 'test-agent-signing-key'
export const TEST_ALERT_WEBHOOK_SECRET = 'test-alert-webhook-secret'

declare module 'vitest' {
  export interface ProvidedContext {
    agentDoubleUrl: string
  }
}

export default async function setup(project: TestProject) {
  const double = await startAgentDouble(TEST_AGENT_SIGNING_KEY)
  project.provide('agentDoubleUrl', double.url)
  const s3 = await startS3({ port: Number(process.env.TSEEDER_TEST_S3_PORT) })
  // The operators' webhook; vitest.config.ts points ALERT_WEBHOOK_URL at this port.
  const receiver = await startAlertReceiver(
    TEST_ALERT_WEBHOOK_SECRET,
    Number(process.env.TSEEDER_TEST_ALERT_PORT),
  )
  // Users' webhook endpoints; vitest.config.ts names this port in TEST_WEBHOOK_RECEIVER.
  const webhooks = await startWebhookReceiver(Number(process.env.TSEEDER_TEST_WEBHOOK_PORT))
  return async () => {
    await new Promise<void>((resolve) => webhooks.server.close(() => resolve()))
    await new Promise<void>((resolve) => double.server.close(() => resolve()))
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()))
    await s3.close()
  }
}
