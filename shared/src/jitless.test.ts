import './jitless.ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'

describe('jitless', () => {
  afterEach(() => vi.unstubAllGlobals())

  it("is zod's own setting once imported, before zod loads", () => {
    expect(z.config().jitless).toBe(true)
  })

  it('keeps zod from compiling or probing with new Function when it builds and parses schemas', () => {
    const compiled = vi.fn()
    vi.stubGlobal(
      'Function',
      new Proxy(Function, {
        construct(target, args) {
          compiled(args)
          return Reflect.construct(target, args)
        },
      }),
    )
    const Job = z.object({ id: z.string(), size: z.number().int(), tags: z.array(z.string()) })
    expect(Job.parse({ id: 'a', size: 1, tags: ['x'] })).toEqual({ id: 'a', size: 1, tags: ['x'] })
    expect(compiled).not.toHaveBeenCalled()
  })
})
