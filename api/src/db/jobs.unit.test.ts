import { Job, JobList } from '@tseeder/shared'
import { describe, expect, it } from 'vitest'
import { toJob, type JobRow } from './jobs.ts'

const at = Date.UTC(2026, 10, 29, 12)

function row(changes: Partial<JobRow> = {}): JobRow {
  return {
    id: 'b3a1c2d4-0000-4000-8000-000000000001',
    user_id: 'user-1',
    infohash: 'a'.repeat(40),
    name: 'Some torrent',
    source: 'magnet',
    magnet: `magnet:?xt=urn:btih:${'a'.repeat(40)}`,
    selected_files: null,
    awaiting_files: 0,
    status: 'downloading',
    progress_pct: 42.5,
    bytes_downloaded: 425,
    bytes_total: 1000,
    download_speed: 12.5,
    upload_speed: 0,
    eta: 46,
    peers: 3,
    seeds: 1,
    error_code: null,
    error_message: null,
    stored_bytes: 0,
    agent_id: 'agent-1',
    attempt: 1,
    last_agent_seq: 7,
    follows_job_id: null,
    queued_at: at - 60_000,
    not_before: 0,
    waiting_reason: null,
    waiting_since: null,
    waiting_until: null,
    created_at: at - 120_000,
    updated_at: at - 1_000,
    completed_at: null,
    available_files: 0,
    single_file_id: null,
    ...changes,
  }
}

/** Every shape a listed job takes: each optional member present and absent, each kind of wait. */
const shapes: [string, ReturnType<typeof toJob>][] = [
  ['downloading', toJob(row())],
  [
    'completed, one file stored',
    toJob(
      row({
        status: 'completed',
        progress_pct: 100,
        completed_at: at,
        available_files: 1,
        single_file_id: 'file-1',
        eta: null,
      }),
    ),
  ],
  [
    'failed with its error',
    toJob(row({ status: 'failed', error_code: 'no_peers', error_message: 'No peers.' })),
  ],
  ['failed with a code only', toJob(row({ status: 'failed', error_code: 'agent_lost' }))],
  [
    'paused, choosing files',
    toJob(row({ status: 'paused', awaiting_files: 1, selected_files: '[0,2,5]' })),
  ],
  [
    'parked waiting for peers',
    toJob(row({ waiting_reason: 'peers', waiting_since: at - 5_000, waiting_until: at + 60_000 })),
  ],
  [
    'parked waiting for metadata, no deadline',
    toJob(row({ status: 'metadata_fetch', waiting_reason: 'metadata', waiting_since: null })),
  ],
  [
    'queued in line',
    toJob(row({ status: 'queued', agent_id: null }), {
      position: 3,
      waiting: { reason: 'in_line', since: new Date(at).toISOString(), until: null },
    }),
  ],
  [
    'queued, retried later',
    toJob(row({ status: 'queued', agent_id: null }), {
      position: 1,
      waiting: {
        reason: 'retry_later',
        since: new Date(at).toISOString(),
        until: new Date(at + 30_000).toISOString(),
      },
    }),
  ],
]

describe('toJob', () => {
  it.each(shapes)('builds a %s job exactly as the schema parses it', (_, job) => {
    expect(JSON.stringify(Job.parse(job))).toBe(JSON.stringify(job))
  })

  it('builds a list the list schema gives back unchanged', () => {
    const list = { jobs: shapes.map(([, job]) => job), nextCursor: 'next' }
    expect(JSON.stringify(JobList.parse(list))).toBe(JSON.stringify(list))
  })
})
