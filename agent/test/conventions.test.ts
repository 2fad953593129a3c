import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { agentProtocol, INTERNAL_PREFIX } from '@tseeder/shared'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { AGENT_NODE_ARGS } from '../node-args.ts'

// Here rather than in shared/ or api/: it reads the source tree, which needs Node (shared's
// tests are typed without it, the API's run in workerd).
const root = join(import.meta.dirname, '..', '..')
const table = join(root, 'shared', 'src', 'agent-protocol.ts')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name))
    .map((d) => join(d.parentPath, d.name))
}

/** Every piece of literal text in a module: strings, template parts, no comments. */
function literals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const found: string[] = []
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) found.push(node.text)
    node.forEachChild(visit)
  }
  visit(source)
  return found
}

/** Whether `text` spells a path of the protocol (a `:param` path by its fixed start). */
function isProtocolPath(text: string): boolean {
  if (text === INTERNAL_PREFIX || text.startsWith(`${INTERNAL_PREFIX}/`)) return true
  return Object.values(agentProtocol).some(({ path }) => {
    const fixed = path.split(':')[0]!
    return fixed === path ? text === path : text.startsWith(fixed)
  })
}

describe('project conventions', () => {
  it('is the only place a path of the agent protocol is written in product code', () => {
    const files = ['agent/src', 'api/src', 'shared/src'].flatMap((dir) =>
      sourceFiles(join(root, dir)),
    )
    expect(files.length).toBeGreaterThan(50)
    const offenders = files
      .filter((file) => file !== table)
      .flatMap((file) =>
        literals(file)
          .filter(isProtocolPath)
          .map((text) => `${relative(root, file)}: '${text}'`),
      )
    expect(offenders).toEqual([])
  })

  it('runs the agent with the flags of node-args.ts in the Dockerfile and the systemd unit', () => {
    const agentDir = join(root, 'agent')
    const dockerCmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(agentDir, 'Dockerfile'), 'utf8'))
    expect(JSON.parse(dockerCmd![1]!)).toEqual(['node', ...AGENT_NODE_ARGS, 'agent/dist/main.mjs'])
    const unit = readFileSync(join(agentDir, 'tseeder-agent.service'), 'utf8')
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ')
    expect(execStart).toEqual(['/usr/bin/node', ...AGENT_NODE_ARGS, 'agent/dist/main.mjs'])
  })
})
