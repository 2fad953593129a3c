import type { Client, MeResponse } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { connect } from './connect.ts'

const TOKEN = 'tsd_' + 'A1b2-C3d4_E5f6G7h8I9j0'

const me: MeResponse = {
  user: {
    id: 'u1',
    email: 'ada@example.com',
    role: 'user',
    plan: 'free',
    suspended: false,
    aupAcceptedAt: '2026-11-01T00:00:00.000Z',
    createdAt: '2026-11-01T00:00:00.000Z',
  },
  csrfToken: null,
  plan: {
    id: 'free',
    name: 'Free',
    maxActiveJobs: 2,
    maxQueuedJobs: 10,
    maxQueueWaitSeconds: 86_400,
    priority: 0,
    storageBytes: null,
    maxFileBytes: null,
    bandwidthBytesPerMonth: null,
    retentionDays: null,
    maxSessions: null,
  },
  usage: {
    storageBytes: 0,
    bandwidthBytes: 0,
    bandwidthPeriod: '2026-11',
    activeJobs: 0,
    transfers: 0,
  },
}

describe('connect', () => {
  it('keeps the account, its plan and how many transfers the plan runs at a time', async () => {
    const connection = await connect(
      { serverUrl: 'https://tseeder.example', token: TOKEN },
      {
        requestAccess: async () => true,
        client: () => ({ me: async () => me }) as unknown as Client,
        now: () => new Date('2026-11-28T09:00:00.000Z'),
      },
    )
    expect(connection).toEqual({
      serverUrl: 'https://tseeder.example',
      token: TOKEN,
      email: 'ada@example.com',
      planName: 'Free',
      maxTransfers: 2,
      connectedAt: '2026-11-28T09:00:00.000Z',
      revoked: false,
    })
  })
})
