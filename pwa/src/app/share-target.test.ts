import { describe, expect, it } from 'vitest'
import { findMagnet } from './share-target.ts'

const MAGNET = 'magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=x'

describe('findMagnet', () => {
  it('prefers the shared url', () => {
    expect(findMagnet({ title: null, text: null, url: MAGNET })).toBe(MAGNET)
  })

  it('finds a magnet link inside shared text', () => {
    expect(findMagnet({ title: 'Look', text: `Grab this: ${MAGNET} — nice`, url: null })).toBe(
      MAGNET,
    )
  })

  it('returns null when nothing shared is a magnet link', () => {
    expect(findMagnet({ title: 'Hi', text: 'https://example.org', url: null })).toBeNull()
  })
})
