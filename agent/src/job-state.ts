import { mkdir, readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { AgentStartBody } from '@tseeder/shared'
import { writeFileAtomic } from './fs-atomic.ts'

export type JobStatus =
  'metadata_fetch' | 'downloading' | 'uploading' | 'paused' | 'completed' | 'failed'

export interface UploadedFile {
  index: number
  key: string
  size: number
  mimeType: string
}

/** Everything the agent must remember about a job to pick it up again after a restart. */
export interface JobRecord {
  start: AgentStartBody
  status: JobStatus
  /** Last callback `seq` handed to the outbox for this attempt. */
  seq: number
  /** Sanitised paths and sizes, known once metadata arrived. */
  files: { index: number; path: string; size: number }[] | null
  name: string | null
  selected: number[] | null
  uploaded: Record<string, UploadedFile>
  error: { code: string; message: string } | null
  updatedAt: string
}

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Job ids become folder names, so only a safe alphabet is accepted; ids come from the API but the
 * agent does not trust anything that names a path.
 */
export function isSafeJobId(jobId: string): boolean {
  return JOB_ID.test(jobId)
}

/** Durable job records, one JSON file per job under `<dataDir>/state/`, written atomically. */
export class JobStateStore {
  readonly dir: string
  private readonly writes = new Map<string, Promise<void>>()
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'state')
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
  }

  /**
   * Writes of one job are chained: two overlapping saves could otherwise land out of order and
   * leave an older `seq` on disk, which a restart would reuse.
   */
  save(record: JobRecord): Promise<void> {
    const jobId = record.start.jobId
    const path = this.pathOf(jobId)
    const previous = this.writes.get(jobId) ?? Promise.resolve()
    const next = previous
      .catch(() => {})
      .then(() => {
        record.updatedAt = new Date().toISOString()
        return writeFileAtomic(path, JSON.stringify(record))
      })
    this.writes.set(jobId, next)
    void next
      .finally(() => {
        if (this.writes.get(jobId) === next) this.writes.delete(jobId)
      })
      .catch(() => {})
    return next
  }

  async remove(jobId: string): Promise<void> {
    await rm(this.pathOf(jobId), { force: true })
  }

  async loadAll(): Promise<JobRecord[]> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'))
    const records: JobRecord[] = []
    for (const name of names) {
      try {
        records.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as JobRecord)
      } catch {
        // A record that cannot be read is left for an operator; the others still resume.
      }
    }
    return records
  }

  private pathOf(jobId: string): string {
    if (!isSafeJobId(jobId)) throw new Error('unsafe job id')
    return join(this.dir, `${jobId}.json`)
  }
}
