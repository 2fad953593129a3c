import type { Job } from '@tseeder/shared'
import { testJob } from '@tseeder/shared/test-fixtures'
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  pauseJob: vi.fn<(input: { params: { id: string } }) => Promise<Job>>(),
  resumeJob: vi.fn(),
  cancelJob: vi.fn<(input: { params: { id: string } }) => Promise<Job>>(),
  retryJob: vi.fn(),
  deleteJob: vi.fn<(input: { params: { id: string } }) => Promise<void>>(),
}))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))

const { liveJobs } = await import('../../app/live.ts')
const { Toaster } = await import('../../ui/toast.tsx')
const { JobActionButtons } = await import('./job-action-buttons.tsx')
const { useJobActions } = await import('./use-job-actions.tsx')

const job = testJob({ id: 'j1', name: 'Big file' })

function Card({ onDeleted }: { onDeleted?(job: Job): void }) {
  const actions = useJobActions({ onDeleted })
  return (
    <>
      {actions.dialog}
      <JobActionButtons job={job} actions={actions} small />
      <Toaster />
    </>
  )
}

beforeEach(() => liveJobs.upsert(job))
afterEach(() => {
  cleanup()
  liveJobs.stop()
  vi.clearAllMocks()
})

const held = () => liveJobs.getSnapshot().all.find((candidate) => candidate.id === job.id)

describe('JobActionButtons with useJobActions', () => {
  it('offers what the status allows, and delete', () => {
    render(<Card />)
    const names = screen.getAllByRole('button').map((button) => button.getAttribute('aria-label'))
    expect(names).toEqual(['Pause Big file', 'Cancel Big file', 'Delete Big file'])
  })

  it('pauses without asking, puts the answer in the live store and says so', async () => {
    calls.pauseJob.mockResolvedValue({ ...job, status: 'paused' })
    render(<Card />)
    fireEvent.click(screen.getByRole('button', { name: 'Pause Big file' }))
    await screen.findByText('Job paused')
    expect(calls.pauseJob).toHaveBeenCalledWith({ params: { id: 'j1' } })
    expect(held()?.status).toBe('paused')
  })

  it('asks before cancelling and does nothing when the person keeps downloading', async () => {
    render(<Card />)
    fireEvent.click(screen.getByRole('button', { name: 'Cancel Big file' }))
    await screen.findByText('Cancel “Big file”?')
    fireEvent.click(screen.getByRole('button', { name: 'Keep downloading' }))
    await waitFor(() => expect(screen.queryByText('Cancel “Big file”?')).toBeNull())
    expect(calls.cancelJob).not.toHaveBeenCalled()
  })

  it('deletes once confirmed, drops the job from the live store and tells the page', async () => {
    calls.deleteJob.mockResolvedValue(undefined)
    const onDeleted = vi.fn()
    render(<Card onDeleted={onDeleted} />)
    fireEvent.click(screen.getByRole('button', { name: 'Delete Big file' }))
    fireEvent.click(await screen.findByRole('button', { name: 'Delete job' }))
    await screen.findByText('Deleted “Big file”.')
    expect(onDeleted).toHaveBeenCalledWith(job)
    expect(held()).toBeUndefined()
  })

  it('names the action and the job when the server refuses', async () => {
    calls.pauseJob.mockRejectedValue(new Error('Agent unreachable'))
    render(<Card />)
    fireEvent.click(screen.getByRole('button', { name: 'Pause Big file' }))
    await screen.findByText('Could not pause “Big file”: Agent unreachable')
    expect(held()?.status).toBe('downloading')
  })
})

describe('JobActionButtons offline', () => {
  it('disables every action, since each needs the server', () => {
    render(<Card />)
    act(() => void window.dispatchEvent(new Event('offline')))
    const jobButtons = () => screen.getAllByRole('button', { name: /Big file$/ })
    expect(jobButtons()).toHaveLength(3)
    expect(jobButtons().every((button) => button.hasAttribute('disabled'))).toBe(true)
    expect(jobButtons()[0]!.getAttribute('title')).toBe('Needs a connection')
    act(() => void window.dispatchEvent(new Event('online')))
    expect(jobButtons().some((button) => button.hasAttribute('disabled'))).toBe(false)
  })
})
