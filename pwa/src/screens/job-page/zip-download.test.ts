import { afterEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({ createZipLink: vi.fn() }))
const toasts = vi.hoisted(() => vi.fn())
vi.mock('../../app/api.ts', () => ({ api: calls }))
vi.mock('../../ui/toast.tsx', () => ({ toast: toasts }))

const { downloadZip } = await import('./zip-download.ts')

afterEach(() => vi.clearAllMocks())

describe('downloadZip', () => {
  it('asks for a zip of the folder and downloads it under the name the server gives', async () => {
    calls.createZipLink.mockResolvedValue({
      url: '/dl/zip/abc.def',
      expiresAt: new Date().toISOString(),
      name: 'album.zip',
      size: 2048,
      files: 2,
    })
    const clicked: HTMLAnchorElement[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this)
    })
    await downloadZip('job-1', 'Show/album')
    expect(calls.createZipLink).toHaveBeenCalledWith({
      params: { id: 'job-1' },
      body: { folder: 'Show/album' },
    })
    expect(clicked[0]!.download).toBe('album.zip')
    expect(new URL(clicked[0]!.href).pathname).toBe('/dl/zip/abc.def')
    expect(toasts.mock.calls[0]![0]).toMatch(/album\.zip: 2 files/)
    click.mockRestore()
  })

  it('zips the whole job without a body, and tells the user why a zip cannot be made', async () => {
    calls.createZipLink.mockRejectedValue(new Error('These files were stored before…'))
    await downloadZip('job-2')
    expect(calls.createZipLink).toHaveBeenCalledWith({ params: { id: 'job-2' } })
    expect(toasts.mock.calls[0]![0]).toMatch(/Could not make the zip: These files were stored/)
    expect(toasts.mock.calls[0]![1]).toEqual({ tone: 'error' })
  })
})
