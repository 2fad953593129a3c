import { ApiError } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { describeFailure } from './failures.ts'

describe('describeFailure', () => {
  it('says in words what a token without a scope cannot do, not the raw scope refusal', () => {
    const failure = describeFailure(
      new ApiError(403, 'insufficient_scope', 'This API token lacks the "jobs:write" scope.'),
      'https://tseeder.example',
    )
    expect(failure).toEqual({
      kind: 'refused',
      message:
        'This extension’s token cannot add, pause, resume, cancel and delete jobs (it lacks jobs:write). Create a token with jobs:read, jobs:write and files:read in tseeder (Settings → API tokens) and connect again in the extension’s options.',
    })
  })
})
