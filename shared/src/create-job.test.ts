import { describe, expect, it } from 'vitest'
import { createClient } from './client.ts'
import { createJobTelling } from './create-job.ts'
import { testJob } from './test-fixtures.ts'

function clientAnswering(status: number) {
  return createClient({
    baseUrl: 'http://127.0.0.1:8787',
    auth: { type: 'bearer', token: 'tsd_test' },
    fetch: async () => Response.json(testJob({ id: 'j1' }), { status }),
  })
}

const magnet = { body: { magnet: 'magnet:?xt=urn:btih:' + 'a'.repeat(40) } }

describe('createJobTelling', () => {
  it('tells a new job (201) from one the user already had (200)', async () => {
    expect(await createJobTelling(clientAnswering(201), magnet)).toMatchObject({
      job: { id: 'j1' },
      created: true,
    })
    expect(await createJobTelling(clientAnswering(200), magnet)).toMatchObject({
      job: { id: 'j1' },
      created: false,
    })
  })

  it('leaves createJob as it was for callers that do not ask', async () => {
    expect(await clientAnswering(200).createJob(magnet)).toMatchObject({ id: 'j1' })
  })
})
