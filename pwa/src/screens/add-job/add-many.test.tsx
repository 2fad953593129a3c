import { ApiError, type CreatedJob } from '@tseeder/shared'
import { testJob } from '@tseeder/shared/test-fixtures'
import { cleanup, render, screen } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addMagnetLines, magnetLines, summariseReport } from './add-many.ts'
import { AddReport } from './add-report.tsx'

const hash = (digit: string) => digit.repeat(40)
const link = (digit: string, name: string) => `magnet:?xt=urn:btih:${hash(digit)}&dn=${name}`

afterEach(cleanup)

describe('magnetLines', () => {
  it('takes each non-empty line, trimmed, in order', () => {
    expect(magnetLines(`  ${link('a', 'one')} \r\n\n${link('b', 'two')}\n  `)).toEqual([
      link('a', 'one'),
      link('b', 'two'),
    ])
  })
})

describe('addMagnetLines', () => {
  it('adds each line and reports added, already yours and refused with the reason', async () => {
    const create = vi.fn(async ({ magnet }: { magnet: string }): Promise<CreatedJob> => {
      if (magnet.includes(hash('c'))) {
        throw new ApiError(403, 'blocked', 'blocked', undefined, undefined)
      }
      const id = magnet.includes(hash('a'))
        ? 'job-a'
        : magnet.includes(hash('d'))
          ? 'job-d'
          : 'job-b'
      // job-d was added on another device: the app did not know it, the server says 200.
      return { job: testJob({ id, name: id }), created: id === 'job-a' }
    })
    const report = await addMagnetLines(
      [
        link('a', 'new'),
        link('b', 'old'),
        'not a link',
        link('c', 'bad'),
        link('a', 'again'),
        link('d', 'elsewhere'),
      ],
      { chooseFiles: false, known: new Set(['job-b']), create },
    )
    expect(report.map((entry) => entry.outcome)).toEqual([
      'added',
      'already',
      'refused',
      'refused',
      'already',
      'already',
    ])
    expect(create).toHaveBeenCalledTimes(5)
    expect(report[2]).toMatchObject({ reason: expect.stringMatching(/magnet/i) })
    expect(report[3]).toMatchObject({ reason: expect.stringMatching(/blocked/) })
    expect(summariseReport(report)).toBe('1 added, 3 already yours, 2 refused')
  })

  it('passes the choose-files wish with each link', async () => {
    const create = vi.fn(async () => ({ job: testJob({ id: 'x' }), created: true }))
    await addMagnetLines([link('a', 'one'), link('b', 'two')], {
      chooseFiles: true,
      known: new Set(),
      create,
    })
    expect(create).toHaveBeenCalledWith({ magnet: link('b', 'two'), chooseFiles: true })
  })
})

describe('AddReport', () => {
  it('shows one line per pasted link with its outcome, a link to each job, and why refused', () => {
    render(
      <MemoryRouter>
        <AddReport
          report={[
            { line: link('a', 'one'), outcome: 'added', job: testJob({ id: 'j1', name: 'One' }) },
            { line: link('b', 'two'), outcome: 'already', job: testJob({ id: 'j2', name: 'Two' }) },
            {
              line: link('c', 'three'),
              outcome: 'refused',
              reason: 'Your plan’s limit is reached.',
            },
          ]}
        />
      </MemoryRouter>,
    )
    expect(screen.getByRole('heading').textContent).toBe('1 added, 1 already yours, 1 refused')
    const rows = screen.getAllByRole('listitem').map((row) => row.textContent)
    expect(rows).toEqual([
      'Added One',
      'Already yours Two',
      'Refused threeYour plan’s limit is reached.',
    ])
    expect(screen.getByRole('link', { name: 'One' }).getAttribute('href')).toBe('/jobs/j1')
  })
})
