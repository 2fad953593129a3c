// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { fakeBrowser } from 'wxt/testing/fake-browser'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_PREFERENCES } from '../storage.ts'
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
