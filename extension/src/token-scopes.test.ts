import { ApiError, type Client, type Scope } from '@tseeder/shared'
import { describe, expect, it, vi } from 'vitest'
import { missingScopesMessage, probeScopes, scopeFailureMessage } from './token-scopes.ts'

const refused = (scope: Scope) =>
  new ApiError(403, 'insufficient_scope', `This API token lacks the "${scope}" scope.`)
const noSuchJob = () => new ApiError(404, 'not_found', 'No such job.')

/** A client whose token holds `scopes`: each probe is refused, or finds no such job or file. */
function clientWith(scopes: Scope[]) {
  const answer = (scope: Scope) =>
    vi.fn(async () => {
      throw scopes.includes(scope) ? noSuchJob() : refused(scope)
    })
  return {
    getJob: answer('jobs:read'),
    pauseJob: answer('jobs:write'),
    createFileLink: answer('files:read'),
  }
}

describe('token scopes', () => {
  it('reads which scopes the token holds from calls that change nothing', async () => {
    const client = clientWith(['jobs:read', 'files:read'])
    expect(await probeScopes(client as unknown as Client)).toEqual(['jobs:read', 'files:read'])
    // Made-up ids: a token with the scope gets "no such job", one without it is refused first.
    for (const call of Object.values(client)) {
      expect(call).toHaveBeenCalledWith({ params: { id: expect.stringMatching(/scope-check/) } })
    }
  })

  it('passes on any other failure (a revoked token, an unreachable server)', async () => {
    const client = clientWith(['jobs:read', 'jobs:write', 'files:read'])
    client.pauseJob.mockRejectedValueOnce(new ApiError(401, 'not_signed_in', 'Sign in.'))
    await expect(probeScopes(client as unknown as Client)).rejects.toMatchObject({ status: 401 })
  })

  it('says in words what a token can do and what it is missing', () => {
    expect(missingScopesMessage(['jobs:read', 'files:read'])).toBe(
      'This token can see jobs and their progress and download files, but not add, pause, resume, cancel and delete jobs. Create a token with jobs:read, jobs:write and files:read in tseeder (Settings → API tokens) and paste it here.',
    )
    expect(missingScopesMessage([])).toBe(
      'This token cannot see jobs and their progress; add, pause, resume, cancel and delete jobs; or download files. Create a token with jobs:read, jobs:write and files:read in tseeder (Settings → API tokens) and paste it here.',
    )
    expect(missingScopesMessage(['jobs:read', 'jobs:write', 'files:read'])).toBeNull()
  })

  it('turns a refusal for a missing scope into the same words', () => {
    expect(scopeFailureMessage(refused('jobs:write'))).toBe(
      'This extension’s token cannot add, pause, resume, cancel and delete jobs (it lacks jobs:write). Create a token with jobs:read, jobs:write and files:read in tseeder (Settings → API tokens) and connect again in the extension’s options.',
    )
    expect(scopeFailureMessage(noSuchJob())).toBeNull()
  })
})
