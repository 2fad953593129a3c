// The stack under test: exactly what `npm start` runs (stack.ts), on free ports, with
// its state (secrets, .dev.vars, D1, objects, agent data, logs) in a temporary folder.
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOCAL_AGENT_DEFAULTS } from './agent-env.ts'
import { killGroupsNow } from './processes.ts'
import { launchStack, type Stack } from './stack.ts'

export interface TestStack extends Stack {
  /** The last `lines` lines of a log in the state folder (`worker`, `local-agent-1`…). */
  logTail(name: string, lines?: number): string
  /** Stops every process and removes the state folder. */
  close(): Promise<void>
}

export interface TestStackOptions {
  /** `AGENT_*` variables for every agent, over npm start's defaults (capacity, timeouts…). */
  agentEnv?: Record<string, string>
  /** `--var NAME:value` overrides for the Worker (e.g. `DOWNLOAD_MODE`). */
  extraVars?: Record<string, string>
}

export async function startTestStack(
  agents: number,
  options: TestStackOptions = {},
): Promise<TestStack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'tseeder-e2e-'))
  const launching = launchStack({
    stateDir,
    port: 0,
    s3Port: 0,
    agents,
    devVars: 'state',
    buildWebApp: 'if-missing',
    // npm start's defaults, pinned: a developer's exported AGENT_* must not change the test.
    agentEnv: { ...LOCAL_AGENT_DEFAULTS, ...options.agentEnv },
    ...(options.extraVars ? { extraVars: options.extraVars } : {}),
  })
  // If the test process dies, even while the stack is still starting (a hook timeout), no child
  // outlives it.
  const lastResort = () => killGroupsNow(launching.children())
  process.once('exit', lastResort)
  let stack: Stack
  try {
    stack = await launching.ready
  } catch (error) {
    process.off('exit', lastResort)
    await rm(stateDir, { recursive: true, force: true })
    throw error
  }
  return {
    ...stack,
    logTail(name, lines = 40) {
      const file = join(stateDir, 'logs', `${name}.log`)
      if (!existsSync(file)) return ''
      return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n')
    },
    async close() {
      await stack.stop()
      process.off('exit', lastResort)
      await rm(stateDir, { recursive: true, force: true })
    },
  }
}
