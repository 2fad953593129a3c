import { formatClockTime } from '@tseeder/shared'
import { testJob } from '@tseeder/shared/test-fixtures'
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WaitingDetails } from './waiting-details.tsx'

const NOW = Date.parse('2026-11-28T09:00:00.000Z')

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

function details(): Record<string, string> {
  const list = screen.getByRole('list', { name: 'Waiting details' })
  const entries: Record<string, string> = {}
  for (const item of within(list).getAllByRole('listitem')) {
    const [term, value] = [...item.children].map((child) => child.textContent ?? '')
    entries[term!] = value!
  }
  return entries
}

describe('WaitingDetails (job page)', () => {
  it('shows a queued job’s place in line, since when it waits and when it gives up', () => {
    vi.useFakeTimers({ now: NOW })
    const until = '2026-11-29T08:50:00.000Z'
    render(
      <WaitingDetails
        job={testJob({
          id: 'a',
          status: 'queued',
          queuePosition: 3,
          waiting: { reason: 'in_line', since: '2026-11-28T08:50:00.000Z', until },
        })}
      />,
    )
    expect(details()).toEqual({
      'Place in line': '3rd',
      'Waiting since': formatClockTime('2026-11-28T08:50:00.000Z', NOW),
      'Gives up at': formatClockTime(until, NOW),
    })
  })

  it('shows since when a parked job waits and when it gives up, and no place in line', () => {
    vi.useFakeTimers({ now: NOW })
    const until = '2026-11-28T09:10:00.000Z'
    render(
      <WaitingDetails
        job={testJob({
          id: 'a',
          status: 'metadata_fetch',
          waiting: { reason: 'metadata', since: '2026-11-28T08:58:00.000Z', until },
        })}
      />,
    )
    expect(details()).toEqual({
      'Waiting since': formatClockTime('2026-11-28T08:58:00.000Z', NOW),
      'Gives up at': formatClockTime(until, NOW),
    })
  })

  it('says when an agent is tried again rather than when the job gives up', () => {
    vi.useFakeTimers({ now: NOW })
    const until = '2026-11-28T09:00:40.000Z'
    render(
      <WaitingDetails
        job={testJob({
          id: 'a',
          status: 'queued',
          queuePosition: 1,
          waiting: { reason: 'retry_later', since: '2026-11-28T08:59:50.000Z', until },
        })}
      />,
    )
    expect(details()['Tried again at']).toBe(formatClockTime(until, NOW))
    expect(details()['Gives up at']).toBeUndefined()
  })

  it('shows nothing for a job that transfers', () => {
    const { container } = render(<WaitingDetails job={testJob({ id: 'a' })} />)
    expect(container.textContent).toBe('')
  })
})
