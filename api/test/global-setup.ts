import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import type { TestProject } from 'vitest/node'
import { startAgentDouble } from './agent-double.ts'

export const TEST_AGENT_SIGNING_KEY = 'test-agent-signing-key'

declare module 'vitest' {
  export interface ProvidedContext {
    agentDoubleUrl: string
  }
}

export default async function setup(project: TestProject) {
  const double = await startAgentDouble(TEST_AGENT_SIGNING_KEY)
  project.provide('agentDoubleUrl', double.url)
  const directory = await mkdtemp(path.join(tmpdir(), 'tseeder-api-s3-'))
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: Number(process.env.TSEEDER_TEST_S3_PORT),
    directory,
    silent: true,
    configureBuckets: [{ name: 'tseeder', configs: [] }],
  })
  await s3.run()
  return async () => {
    await new Promise<void>((resolve) => double.server.close(() => resolve()))
    await s3.close()
    await rm(directory, { recursive: true, force: true })
  }
}
