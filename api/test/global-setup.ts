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
  return () => new Promise<void>((resolve) => double.server.close(() => resolve()))
}
