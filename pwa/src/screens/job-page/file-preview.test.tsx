import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import FilePreview from './file-preview.tsx'
import { previewKind } from './playable.ts'
import { readTextPreview, TEXT_PREVIEW_BYTES } from './text-preview.ts'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const file = (path: string, mimeType: string, size = 10) => ({
  id: 'f1',
  index: 0,
  path,
  size,
  mimeType,
  selected: true,
  available: true,
})

describe('previewKind', () => {
  it('plays media, shows pictures, reads text and leaves the rest to Download', () => {
    expect(previewKind({ mimeType: 'video/mp4' })).toBe('media')
    expect(previewKind({ mimeType: 'image/jpeg' })).toBe('image')
    expect(previewKind({ mimeType: 'text/plain; charset=utf-8' })).toBe('text')
    expect(previewKind({ mimeType: 'application/json' })).toBe('text')
    expect(previewKind({ mimeType: 'application/octet-stream' })).toBeNull()
    expect(previewKind({ mimeType: 'application/zip' })).toBeNull()
  })
})

describe('readTextPreview', () => {
  it('asks only for the first part through the signed link and says when it is cut', async () => {
    const fetcher = vi.fn(async () => new Response('hello\nworld', { status: 206 }))
    const preview = await readTextPreview('/dl/abc', 1_000_000, fetcher as typeof fetch)
    expect(fetcher).toHaveBeenCalledWith('/dl/abc', {
      headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` },
    })
    expect(preview).toEqual({
      state: 'ok',
      text: 'hello\nworld',
      note: 'Showing the first 11 B of 1 MB.',
    })
  })

  it('refuses binary content and failed reads with a sentence, never throwing', async () => {
    const binary = vi.fn(async () => new Response(new Uint8Array([80, 0, 1])))
    expect(await readTextPreview('/dl/a', 3, binary as typeof fetch)).toEqual({
      state: 'failed',
      message: 'This file is not plain text. Download it to open it.',
    })
    const refused = vi.fn(async () => new Response('no', { status: 403 }))
    expect(await readTextPreview('/dl/a', 3, refused as typeof fetch)).toMatchObject({
      state: 'failed',
    })
    const offline = vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))
    expect(await readTextPreview('/dl/a', 3, offline as typeof fetch)).toMatchObject({
      state: 'failed',
    })
  })
})

describe('FilePreview', () => {
  it('shows a picture from the signed link', () => {
    render(
      <FilePreview
        file={file('Set/cover.jpg', 'image/jpeg')}
        kind="image"
        url="/dl/signed"
        onClose={() => {}}
      />,
    )
    expect(screen.getByRole('region', { name: 'Showing cover.jpg' })).toBeTruthy()
    expect(screen.getByRole('img', { name: 'cover.jpg' }).getAttribute('src')).toBe('/dl/signed')
  })

  it('shows a text file as text', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<b>not bold</b>')),
    )
    render(
      <FilePreview
        file={file('Set/readme.txt', 'text/plain; charset=utf-8', 15)}
        kind="text"
        url="/dl/signed"
        onClose={() => {}}
      />,
    )
    const text = await screen.findByLabelText('Text of readme.txt')
    expect(text.textContent).toBe('<b>not bold</b>')
    expect(text.querySelector('b')).toBeNull()
  })
})
