// @vitest-environment happy-dom
import { testJob } from '@tseeder/shared/test-fixtures'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Connection } from '../storage.ts'
import { SendMagnetForm } from './send-magnet-form.tsx'

const connection: Connection = {
  serverUrl: 'https://tseeder.example',
  token: 'tsd_test-token-0123456789',
  email: 'ada@example.com',
  planName: 'Free',
  connectedAt: '2026-11-01T00:00:00.000Z',
  revoked: false,
}
const MAGNET = `magnet:?xt=urn:btih:${'c'.repeat(40)}`

/** The server answers `createJob` with `status`: 201 for a new job, 200 for one already there. */
function serverAnswering(status: number) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => Response.json(testJob({ id: 'j1', name: 'Big file' }), { status })),
  )
}

async function send() {
  render(<SendMagnetForm connection={connection} />)
  fireEvent.change(screen.getByLabelText('Magnet link'), { target: { value: MAGNET } })
  fireEvent.click(screen.getByRole('button', { name: 'Send' }))
  await waitFor(() => expect(screen.getByRole('status').textContent).not.toBe(''))
  return screen.getByRole('status').textContent
}

describe('popup send form', () => {
  beforeEach(() => {
    fakeBrowser.reset()
    vi.spyOn(fakeBrowser.runtime, 'sendMessage').mockResolvedValue(undefined)
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('says "Sent" for a new job', async () => {
    serverAnswering(201)
    expect(await send()).toBe('Sent: Big file')
  })

  it('says "Already in your list" when the magnet already was the user’s job', async () => {
    serverAnswering(200)
    expect(await send()).toBe('Already in your list: Big file')
  })
})
