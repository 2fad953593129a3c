import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { billingPeriod } from '../lib/time.ts'
import { getUsage, meterBandwidth, adjustStorageStatement } from './usage.ts'
import { insertUserStatements } from './users.ts'

const db = env.DB

async function newUser(period = billingPeriod()): Promise<string> {
  const id = crypto.randomUUID()
  const password = { hash: 'x', salt: 'y', iterations: 1 }
  const now = Date.now()
  await db.batch(
    insertUserStatements(db, { id, email: `${id}@db.test`, password, role: 'user', now }, period),
  )
  return id
}

describe('usage table', () => {
  it('meters bandwidth up to the limit and refuses bytes that would pass it', async () => {
    const userId = await newUser()
    const period = billingPeriod()
    const meter = (bytes: number) =>
      meterBandwidth(db, { userId, bytes, period, limit: 100, now: Date.now() })
    expect(await meter(60)).toBe(true)
    expect(await meter(40)).toBe(true)
    expect(await meter(1)).toBe(false)
    expect((await getUsage(db, userId)).bandwidthBytes).toBe(100)
  })

  it('starts a new month from zero when the row still counts an older one', async () => {
    const userId = await newUser('2000-01')
    await db.prepare('UPDATE usage SET bandwidth_bytes = 90 WHERE user_id = ?').bind(userId).run()
    expect((await getUsage(db, userId)).bandwidthBytes).toBe(0)
    const period = billingPeriod()
    expect(await meterBandwidth(db, { userId, bytes: 50, period, limit: 60, now: 1 })).toBe(true)
    expect(await getUsage(db, userId)).toMatchObject({
      bandwidthBytes: 50,
      bandwidthPeriod: period,
    })
  })

  it('meters without a limit when the plan has none', async () => {
    const userId = await newUser()
    const period = billingPeriod()
    expect(await meterBandwidth(db, { userId, bytes: 2 ** 40, period, limit: null, now: 1 })).toBe(
      true,
    )
  })

  it('adds and frees storage, never going below zero', async () => {
    const userId = await newUser()
    await db.prepare('UPDATE usage SET storage_bytes = 10 WHERE user_id = ?').bind(userId).run()
    await adjustStorageStatement(db, userId, 5, 1).run()
    await adjustStorageStatement(db, userId, -4, 1).run()
    expect((await getUsage(db, userId)).storageBytes).toBe(11)
    await adjustStorageStatement(db, userId, -50, 2).run()
    expect((await getUsage(db, userId)).storageBytes).toBe(0)
  })
})
