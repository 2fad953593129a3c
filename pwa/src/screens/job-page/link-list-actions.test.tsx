import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({ createLinkList: vi.fn() }))
vi.mock('../../app/api.ts', () => ({ api: calls, requestSessionCheck: vi.fn() }))
const toasts = vi.hoisted(() => ({ toast: vi.fn() }))
vi.mock('../../ui/toast.tsx', () => toasts)

const { FolderLinksButton, LinkListActions } = await import('./link-list-actions.tsx')

const LIST = {
  format: 'urls',
  filename: 'demo.txt',
  contentType: 'text/uri-list; charset=utf-8',
  text: 'https://t.test/dl/a\nhttps://t.test/dl/b\n',
  files: [
    { path: 'demo/a', size: 1, url: 'https://t.test/dl/a' },
    { path: 'demo/b', size: 1, url: 'https://t.test/dl/b' },
  ],
  expiresAt: '2026-12-01T00:00:00.000Z',
  lifetimeSeconds: 21_600,
}

beforeEach(() => localStorage.clear())
afterEach(() => {
  cleanup()
  vi.clearAllMocks()
})

function renderActions(plan: 'free' | 'pro' = 'pro') {
  return render(
    <MemoryRouter>
      <LinkListActions jobId="j1" plan={plan} />
    </MemoryRouter>,
  )
}

describe('LinkListActions', () => {
  it('copies every link at once, signed for the lifetime chosen in Settings', async () => {
    localStorage.setItem('tseeder.linkLifetimeSeconds', '21600')
    calls.createLinkList.mockResolvedValue(LIST)
    const writeText = vi.fn(async () => {})
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    renderActions()
    expect(screen.getByText(/Links work for 6 hours/)).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Copy all links' }))
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith(LIST.text))
    expect(calls.createLinkList).toHaveBeenCalledWith({
      params: { id: 'j1' },
      body: { format: 'urls', lifetimeSeconds: 21_600 },
    })
    await vi.waitFor(() =>
      expect(toasts.toast).toHaveBeenCalledWith(expect.stringMatching(/^2 links copied/), {
        tone: 'success',
      }),
    )
  })

  it('keeps a chosen lifetime within the plan’s maximum', () => {
    localStorage.setItem('tseeder.linkLifetimeSeconds', String(7 * 86_400))
    renderActions('free')
    expect(screen.getByText(/Links work for 1 day/)).toBeTruthy()
  })

  it('saves the aria2 input file under the name the server gives', async () => {
    calls.createLinkList.mockResolvedValue({ ...LIST, format: 'aria2', filename: 'demo.aria2' })
    URL.createObjectURL = vi.fn(() => 'blob:list')
    URL.revokeObjectURL = vi.fn()
    const clicked: string[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this.download)
    })
    renderActions()
    fireEvent.click(screen.getByRole('button', { name: 'aria2 file' }))
    await vi.waitFor(() => expect(clicked).toEqual(['demo.aria2']))
    expect(calls.createLinkList.mock.calls[0]![0].body.format).toBe('aria2')
    click.mockRestore()
  })

  it('copies the links of one folder from its row in the file tree', async () => {
    calls.createLinkList.mockResolvedValue(LIST)
    const writeText = vi.fn(async () => {})
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    render(<FolderLinksButton jobId="j1" plan="free" folder={{ name: 'b', path: 'demo/b' }} />)
    fireEvent.click(screen.getByRole('button', { name: 'Copy the links of folder b' }))
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith(LIST.text))
    expect(calls.createLinkList).toHaveBeenCalledWith({
      params: { id: 'j1' },
      body: { format: 'urls', lifetimeSeconds: 3600, folder: 'demo/b' },
    })
  })
})
