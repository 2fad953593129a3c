import type { Job } from '@tseeder/shared'
import { testJob } from '@tseeder/shared/test-fixtures'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  createJob: vi.fn<(input: { body: { magnet: string } }) => Promise<Job>>(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))
vi.mock('../../app/session.tsx', () => ({ useMe: () => ({ plan: undefined }) }))

const { liveJobs } = await import('../../app/live.ts')
const { default: AddJob } = await import('./add-job.tsx')

afterEach(() => {
  cleanup()
  liveJobs.stop()
  vi.clearAllMocks()
})

const link = (digit: string) => `magnet:?xt=urn:btih:${digit.repeat(40)}&dn=${digit}`

describe('the Add screen', () => {
  it('adds every pasted magnet line and reports each, keeping the refused lines in the box', async () => {
    calls.createJob.mockImplementation(async ({ body }) =>
      testJob({ id: body.magnet.slice(20, 24), name: `job ${body.magnet.slice(20, 21)}` }),
    )
    render(
      <MemoryRouter>
        <AddJob />
      </MemoryRouter>,
    )
    const box = screen.getByLabelText<HTMLTextAreaElement>('Magnet link')
    fireEvent.change(box, { target: { value: `${link('a')}\n${link('b')}\nnonsense` } })
    fireEvent.click(screen.getByRole('button', { name: 'Add torrent' }))
    expect(await screen.findByRole('heading', { name: '2 added, 1 refused' })).toBeTruthy()
    expect(calls.createJob).toHaveBeenCalledTimes(2)
    expect(screen.getByRole('link', { name: 'job a' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'job b' })).toBeTruthy()
    expect(box.value).toBe('nonsense')
  })
})
