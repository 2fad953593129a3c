// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Connection, DEFAULT_PREFERENCES } from '../storage.ts'
import { Options } from './options.tsx'

function renderOptions() {
  return render(<Options initialConnection={null} initialPreferences={DEFAULT_PREFERENCES} />)
}

describe('options: connect form', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    // The "Catching links" card asks whether all sites are allowed; the fake has no permissions.
    vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(false)
  })
  afterEach(cleanup)

  it('shows the address it will connect to before Connect, with http for this computer', () => {
    renderOptions()
    const field = screen.getByLabelText('Server URL')
    fireEvent.change(field, { target: { value: '127.0.0.1:8787' } })
    expect(screen.getByText('Connects to http://127.0.0.1:8787')).toBeTruthy()
    fireEvent.change(field, { target: { value: 'tseeder.example.com' } })
    expect(screen.getByText('Connects to https://tseeder.example.com')).toBeTruthy()
  })
})

describe('options: scopes', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(false)
  })
  afterEach(cleanup)

  it('asks for the scopes the web app’s extension helper gives its token', () => {
    renderOptions()
    expect(screen.getByText(/Give it the scopes/).textContent).toContain(
      'Give it the scopes jobs:read, jobs:write and files:read',
    )
  })

  it('says, once connected, that a token without files:read cannot download', () => {
    const connection: Connection = {
      serverUrl: 'https://tseeder.example',
      token: 'tsd_test-token-0123456789',
      email: 'ada@example.com',
      planName: 'Free',
      connectedAt: '2026-11-28T09:00:00.000Z',
      revoked: false,
      scopes: ['jobs:read', 'jobs:write'],
    }
    render(<Options initialConnection={connection} initialPreferences={DEFAULT_PREFERENCES} />)
    expect(screen.getByRole('status').textContent).toBe(
      'This token cannot download files (it lacks files:read), so the popup offers no downloads. To download from the popup, create a token with jobs:read, jobs:write and files:read in tseeder (Settings → API tokens), then Disconnect and connect with it.',
    )
  })
})
