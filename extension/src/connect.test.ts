import { ApiError, type Client, type MeResponse, type Scope } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { connect, ConnectError } from './connect.ts'

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

/** A server that knows the token and lets it hold `scopes` (its probes find no such job). */
function serverWith(scopes: Scope[]): () => Client {
  const probe = (scope: Scope) => async () => {
    throw scopes.includes(scope)
      ? new ApiError(404, 'not_found', 'No such job.')
      : new ApiError(403, 'insufficient_scope', `This API token lacks the "${scope}" scope.`)
  }
  return () =>
    ({
      me: async () => me,
      getJob: probe('jobs:read'),
      pauseJob: probe('jobs:write'),
      createFileLink: probe('files:read'),
    }) as unknown as Client
}

const connectWith = (scopes: Scope[]) =>
  connect(
    { serverUrl: 'https://tseeder.example', token: TOKEN },
    {
      requestAccess: async () => true,
      client: serverWith(scopes),
      now: () => new Date('2026-11-28T09:00:00.000Z'),
    },
  )

describe('connect', () => {
  it('keeps the account, its plan and how many transfers the plan runs at a time', async () => {
    const connection = await connect(
      { serverUrl: 'https://tseeder.example', token: TOKEN },
      {
        requestAccess: async () => true,
        client: serverWith(['jobs:read', 'jobs:write', 'files:read']),
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
      scopes: ['jobs:read', 'jobs:write', 'files:read'],
    })
  })

  it('refuses a token that cannot add jobs, and says what it lacks in words', async () => {
    const refused = await connectWith(['jobs:read']).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ConnectError)
    expect(refused).toMatchObject({
      field: 'token',
      message:
        'This token can see jobs and their progress, but not add, pause, resume, cancel and delete jobs; or download files. Create a token with jobs:read, jobs:write and files:read in tseeder (Settings → API tokens) and paste it here.',
    })
  })

  it('connects a token that cannot download files, and keeps which scopes it has', async () => {
    const connection = await connectWith(['jobs:read', 'jobs:write'])
    expect(connection.scopes).toEqual(['jobs:read', 'jobs:write'])
  })
})
