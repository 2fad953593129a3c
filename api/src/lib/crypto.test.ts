import { describe, expect, it } from 'vitest'
import {
  hashPassword,
  PBKDF2_ITERATIONS,
  randomToken,
  safeEqual,
  verifyPassword,
} from './crypto.ts'

describe('password hashing', () => {
  it('stays within the 100,000 PBKDF2 iterations production Workers allow', () => {
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000)
  })

  it('uses the configured iterations and a fresh salt for every password', async () => {
    const a = await hashPassword('hunter2hunter2')
    const b = await hashPassword('hunter2hunter2')
    expect(a.iterations).toBe(PBKDF2_ITERATIONS)
    expect(a.salt).not.toBe(b.salt)
    expect(a.hash).not.toBe(b.hash)
  })

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery')
    expect(await verifyPassword('correct horse battery', stored)).toBe(true)
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false)
  })
})

describe('tokens', () => {
  it('makes 32 random bytes per session token', () => {
    const token = randomToken(32)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(token).not.toBe(randomToken(32))
  })

  it('compares strings without short-circuiting on length or content', () => {
    expect(safeEqual('abc', 'abc')).toBe(true)
    expect(safeEqual('abc', 'abd')).toBe(false)
    expect(safeEqual('abc', 'abcd')).toBe(false)
  })
})
