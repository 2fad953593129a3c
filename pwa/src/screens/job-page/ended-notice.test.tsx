import { testJob } from '@tseeder/shared/test-fixtures'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { EndedNotice, readdLink } from './ended-notice.tsx'

afterEach(cleanup)

const actions = () => ({ run: vi.fn(async () => {}), pending: {}, dialog: null })

describe('EndedNotice', () => {
  it('says a cancelled job was cancelled and offers to add it again or delete it', () => {
    const job = testJob({ id: 'j1', name: 'Film', status: 'cancelled' })
    const run = actions()
    const onReadd = vi.fn()
    render(<EndedNotice job={job} actions={run} onReadd={onReadd} />)
    expect(screen.getByRole('heading', { name: 'This job was cancelled' })).toBeTruthy()
    expect(screen.queryByText(/metadata has been fetched/)).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Add it again' }))
    expect(onReadd).toHaveBeenCalled()
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }))
    expect(run.run).toHaveBeenCalledWith(job, 'delete')
  })

  it('offers Retry for a failed job, with its error', () => {
    const job = testJob({
      id: 'j2',
      status: 'failed',
      error: { code: 'no_peers', message: 'No peers were found.' },
    })
    const run = actions()
    render(<EndedNotice job={job} actions={run} onReadd={vi.fn()} />)
    expect(screen.getByText(/No peers were found\./)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }))
    expect(run.run).toHaveBeenCalledWith(job, 'retry')
  })
})

describe('readdLink', () => {
  it('is a magnet link of the job’s info hash and name', () => {
    expect(readdLink({ infohash: 'a'.repeat(40), name: 'Big Film' })).toBe(
      `magnet:?xt=urn:btih:${'a'.repeat(40)}&dn=Big%20Film`,
    )
  })
})
