// @vitest-environment happy-dom
import { ApiError, type Client, type Job, type JobFile, type LiveJobsAction } from '@tseeder/shared'
import { testJob } from '@tseeder/shared/test-fixtures'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest'
import type { Connection } from '../storage.ts'
import { JobRow } from './job-row.tsx'

const SERVER = 'https://tseeder.example'
const connection: Connection = {
  serverUrl: SERVER,
  token: 'tsd_test-token-0123456789',
  email: 'ada@example.com',
  planName: 'Free',
  connectedAt: '2026-11-01T00:00:00.000Z',
  revoked: false,
  scopes: ['jobs:read', 'jobs:write', 'files:read'],
}

function file(id: string, overrides: Partial<JobFile> = {}): JobFile {
  return {
    id,
    index: 0,
    path: `${id}.bin`,
    size: 1000,
    mimeType: 'application/octet-stream',
    selected: true,
    available: true,
    ...overrides,
  }
}

function fakeClient() {
  return {
    pauseJob: vi.fn(async ({ params }: { params: { id: string } }) =>
      testJob({ id: params.id, status: 'paused' }),
    ),
    resumeJob: vi.fn(async ({ params }: { params: { id: string } }) =>
      testJob({ id: params.id, status: 'queued' }),
    ),
    cancelJob: vi.fn(async ({ params }: { params: { id: string } }) =>
      testJob({ id: params.id, status: 'cancelled' }),
    ),
    retryJob: vi.fn(),
    deleteJob: vi.fn(async () => undefined),
    listJobFiles: vi.fn(async () => ({ files: [file('f1')] })),
    createFileLink: vi.fn(async () => ({
      url: `${SERVER}/dl/signed-token`,
      expiresAt: '2026-11-28T10:00:00.000Z',
    })),
    createZipLink: vi.fn(async () => ({
      url: `${SERVER}/dl/zip/zip-token`,
      expiresAt: '2026-11-28T10:00:00.000Z',
      name: 'Album.zip',
      size: 2200,
      files: 2,
    })),
  }
}

let client: ReturnType<typeof fakeClient>
let onChange: Mock<(action: LiveJobsAction) => void>

function renderRow(job: Job, account: Connection = connection) {
  return render(
    <JobRow
      job={job}
      connection={account}
      onChange={onChange}
      client={client as unknown as Client}
    />,
  )
}

const button = (name: string | RegExp) => screen.getByRole('button', { name })

describe('popup job row', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    client = fakeClient()
    onChange = vi.fn<(action: LiveJobsAction) => void>()
  })
  afterEach(cleanup)

  it('shows the peers of a downloading job and pauses it', async () => {
    renderRow(testJob({ id: 'j1', name: 'Big file', peers: 3, seeds: 1 }))
    expect(screen.getByText('3 peers · 1 seed')).toBeTruthy()
    fireEvent.click(button('Pause'))
    await waitFor(() => expect(client.pauseJob).toHaveBeenCalledWith({ params: { id: 'j1' } }))
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith({
        type: 'upsert',
        job: expect.objectContaining({ id: 'j1', status: 'paused' }),
      }),
    )
  })

  it('resumes a paused job', async () => {
    renderRow(testJob({ id: 'j1', status: 'paused' }))
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull()
    fireEvent.click(button('Resume'))
    await waitFor(() => expect(client.resumeJob).toHaveBeenCalledWith({ params: { id: 'j1' } }))
  })

  it('asks before cancelling, and cancels only once confirmed', async () => {
    renderRow(testJob({ id: 'j1', name: 'Big file' }))
    fireEvent.click(button('Cancel'))
    expect(screen.getByText(/Cancel “Big file”\? The download stops for good/)).toBeTruthy()
    fireEvent.click(button('Keep downloading'))
    expect(client.cancelJob).not.toHaveBeenCalled()
    fireEvent.click(button('Cancel'))
    fireEvent.click(button('Cancel download'))
    await waitFor(() => expect(client.cancelJob).toHaveBeenCalledWith({ params: { id: 'j1' } }))
  })

  it('asks before deleting, then deletes and drops the job from the list', async () => {
    renderRow(testJob({ id: 'j1', name: 'Big file', status: 'completed' }))
    fireEvent.click(button('Delete'))
    expect(screen.getByText(/Delete “Big file” and its files\?/)).toBeTruthy()
    expect(client.deleteJob).not.toHaveBeenCalled()
    fireEvent.click(button('Delete job'))
    await waitFor(() => expect(client.deleteJob).toHaveBeenCalledWith({ params: { id: 'j1' } }))
    await waitFor(() => expect(onChange).toHaveBeenCalledWith({ type: 'remove', id: 'j1' }))
  })

  it('downloads the file of a completed single-file job through a signed link', async () => {
    const download = vi.spyOn(fakeBrowser.downloads, 'download').mockResolvedValue(1)
    renderRow(testJob({ id: 'j1', status: 'completed' }))
    fireEvent.click(button('Download'))
    await waitFor(() => expect(download).toHaveBeenCalledWith({ url: `${SERVER}/dl/signed-token` }))
    expect(client.listJobFiles).toHaveBeenCalledWith({ params: { id: 'j1' } })
    expect(client.createFileLink).toHaveBeenCalledWith({ params: { id: 'f1' } })
  })

  it('offers a zip of a job of several files, and downloads it under its name', async () => {
    client.listJobFiles.mockResolvedValue({
      files: [file('f1'), file('f2', { index: 1 }), file('f3', { index: 2, selected: false })],
    })
    const download = vi.spyOn(fakeBrowser.downloads, 'download').mockResolvedValue(1)
    renderRow(testJob({ id: 'j1', name: 'Album', status: 'completed' }))
    fireEvent.click(button('Download'))
    await waitFor(() =>
      expect(screen.getByText('“Album” has 2 files, 2 kB. Download them as one zip?')).toBeTruthy(),
    )
    expect(client.createFileLink).not.toHaveBeenCalled()
    expect(screen.getByRole('link', { name: 'Open in tseeder' }).getAttribute('href')).toBe(
      `${SERVER}/jobs/j1`,
    )
    fireEvent.click(button('Zip'))
    await waitFor(() =>
      expect(download).toHaveBeenCalledWith({
        url: `${SERVER}/dl/zip/zip-token`,
        filename: 'Album.zip',
      }),
    )
    expect(client.createZipLink).toHaveBeenCalledWith({ params: { id: 'j1' } })
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Zip' })).toBeNull())
  })

  it('says why a zip could not be made', async () => {
    client.listJobFiles.mockResolvedValue({ files: [file('f1'), file('f2', { index: 1 })] })
    client.createZipLink.mockRejectedValue(
      new ApiError(
        409,
        'zip_needs_checksums',
        'These files were stored before tseeder recorded the checksums a zip needs, so they cannot be zipped; download them one by one instead.',
      ),
    )
    renderRow(testJob({ id: 'j1', status: 'completed' }))
    fireEvent.click(button('Download'))
    fireEvent.click(await screen.findByRole('button', { name: 'Zip' }))
    expect(await screen.findByText(/Could not zip: These files were stored before/)).toBeTruthy()
  })

  it('offers no download when the token cannot download files', () => {
    renderRow(testJob({ id: 'j1', status: 'completed' }), {
      ...connection,
      scopes: ['jobs:read', 'jobs:write'],
    })
    expect(screen.queryByRole('button', { name: 'Download' })).toBeNull()
  })

  it('says why an action was refused, in words', async () => {
    client.pauseJob.mockRejectedValue(
      new ApiError(403, 'insufficient_scope', 'This API token lacks the "jobs:write" scope.'),
    )
    renderRow(testJob({ id: 'j1' }))
    fireEvent.click(button('Pause'))
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toMatch(
        /^Could not pause: This extension’s token cannot add, pause/,
      ),
    )
    expect(onChange).not.toHaveBeenCalled()
  })

  it('links to the job page', () => {
    renderRow(testJob({ id: 'j1', name: 'Big file' }))
    expect(
      screen.getByRole('link', { name: 'Open Big file in tseeder' }).getAttribute('href'),
    ).toBe(`${SERVER}/jobs/j1`)
  })
})
