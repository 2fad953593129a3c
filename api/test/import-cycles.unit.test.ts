import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = path.resolve(import.meta.dirname, '../src')

/** Each source module's value imports of other modules of api/src (type imports are erased). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  )
  for (const file of files) {
    const text = readFileSync(path.join(SRC, file), 'utf8')
    const imports = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.[^']+)'/gm)]
    graph.set(
      file,
      imports.map((m) =>
        path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), m[1]!)),
      ),
    )
  }
  return graph
}

function cyclesOf(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = []
  const done = new Set<string>()
  const path: string[] = []
  const visit = (node: string) => {
    path.push(node)
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next)
      if (at >= 0) cycles.push([...path.slice(at), next])
      else if (!done.has(next)) visit(next)
    }
    path.pop()
    done.add(node)
  }
  for (const node of graph.keys()) if (!done.has(node)) visit(node)
  return cycles
}

describe('api modules', () => {
  it('import each other without cycles, so a job’s path reads one way (jobs/ calls durable/, never back)', () => {
    const graph = importGraph()
    expect(graph.get('jobs/dispatch.ts')).toContain('durable/job-progress.ts')
    expect(cyclesOf(graph)).toEqual([])
  })

  it('keep the job’s Durable Object below jobs/: durable/ never imports a jobs/ module', () => {
    const upward = [...importGraph()]
      .filter(([file]) => file.startsWith('durable/'))
      .flatMap(([file, imports]) =>
        imports.filter((i) => i.startsWith('jobs/')).map((i) => `${file} → ${i}`),
      )
    expect(upward).toEqual([])
  })
})
