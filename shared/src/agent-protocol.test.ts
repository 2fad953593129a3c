import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { agentProtocol, INTERNAL_PREFIX, readAnswer, signedRequest } from './agent-protocol.ts'
import { verifySignature } from './signing.ts'
import { SIGNATURE_HEADERS } from './schemas/agent.ts'

const root = join(import.meta.dirname, '..', '..')
const table = join(import.meta.dirname, 'agent-protocol.ts')

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

describe('the agent protocol table', () => {
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

  it('serves every Worker route under the internal prefix, signed', () => {
    for (const entry of Object.values(agentProtocol)) {
      if (entry.server !== 'api') continue
      expect(entry.path.startsWith(`${INTERNAL_PREFIX}/`), entry.path).toBe(true)
      expect(entry.signed).toBe(true)
    }
  })

  it('builds a signed request whose signature covers the JSON body', async () => {
    const request = await signedRequest(
      agentProtocol.stop,
      { jobId: 'job-1', removeData: false },
      { baseUrl: 'http://agent.test/prefix/', signer: 'api', secret: 's3cret' },
    )
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://agent.test/prefix/stop')
    expect(request.headers.get('content-type')).toBe('application/json')
    expect(request.headers.get(SIGNATURE_HEADERS.agentId)).toBe('api')
    const body = await request.text()
    expect(JSON.parse(body)).toEqual({ jobId: 'job-1', removeData: false })
    const check = await verifySignature(
      's3cret',
      {
        timestamp: request.headers.get(SIGNATURE_HEADERS.timestamp),
        signature: request.headers.get(SIGNATURE_HEADERS.signature),
      },
      body,
    )
    expect(check).toEqual({ ok: true })
  })

  it('fills path parameters and sends no body or signature where the entry has none', async () => {
    const options = { baseUrl: 'http://agent.test', signer: 'api', secret: 's3cret' }
    const files = await signedRequest(agentProtocol.files, { jobId: 'a b' }, options)
    expect(files.url).toBe('http://agent.test/files/a%20b')
    expect(files.method).toBe('GET')
    expect(files.body).toBeNull()
    const health = await signedRequest(agentProtocol.health, undefined, options)
    expect(health.headers.has(SIGNATURE_HEADERS.signature)).toBe(false)
  })

  it('validates an answer against the entry, and passes metrics through as text', async () => {
    const view = { jobId: 'job-1', infohash: 'ab'.repeat(20), status: 'paused', progressPct: 40 }
    expect(await readAnswer(agentProtocol.pause, Response.json(view))).toEqual(view)
    await expect(readAnswer(agentProtocol.pause, Response.json({ ok: true }))).rejects.toThrow()
    await expect(readAnswer(agentProtocol.callback, new Response('<html>'))).rejects.toThrow()
    const text = '# HELP tseeder_agent_active_jobs x\n'
    expect(await readAnswer(agentProtocol.metrics, new Response(text))).toBe(text)
  })
})
