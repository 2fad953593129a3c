import { chmod, mkdir, readFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { AgentJobRecord } from '@tseeder/shared'
import { writeFileAtomic } from './fs-atomic.ts'

const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/

/**
 * Job ids become folder names, so only a safe alphabet is accepted; ids come from the API but the
 * agent does not trust anything that names a path.
 */
export function isSafeJobId(jobId: string): boolean {
  return JOB_ID.test(jobId)
}

/**
 * Creates `dir` (and missing parents) readable by the agent's user only, and narrows a folder an
 * older version created 0755: it holds job records and callbacks.
 */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await chmod(dir, 0o700)
}

/**
 * Forgets the storage grant of a job that will not upload again (completed, or failed: a retry
 * is a new `/start` with its own grant), so its record on disk holds no credentials.
 */
export function dropGrant(record: AgentJobRecord): boolean {
  if (!record.start.storage) return false
  delete record.start.storage
  return true
}

/** A record file that could not be read back, and why. */
export interface UnreadableRecord {
  file: string
  reason: string
}

/** Durable job records, one JSON file per job under `<dataDir>/state/`, written atomically. */
export class JobStateStore {
  readonly dir: string
  private readonly writes = new Map<string, Promise<void>>()
  constructor(dataDir: string) {
    this.dir = join(dataDir, 'state')
  }

  async init(): Promise<void> {
    await privateDir(this.dir)
  }

  /**
   * Writes of one job are chained: two overlapping saves could otherwise land out of order and
   * leave an older `seq` on disk, which a restart would reuse.
   */
  save(record: AgentJobRecord): Promise<void> {
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

  /**
   * Every record that parses; one that does not (torn by a disk fault, written by another
   * version) is handed to `onUnreadable` and left on disk for an operator, and the others resume.
   */
  async loadAll(
    onUnreadable: (record: UnreadableRecord) => void = () => {},
  ): Promise<AgentJobRecord[]> {
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'))
    const records: AgentJobRecord[] = []
    for (const file of names) {
      try {
        const parsed = AgentJobRecord.safeParse(
          JSON.parse(await readFile(join(this.dir, file), 'utf8')),
        )
        if (parsed.success) records.push(parsed.data)
        else onUnreadable({ file, reason: parsed.error.message })
      } catch (error) {
        onUnreadable({ file, reason: (error as Error).message })
      }
    }
    return records
  }

  private pathOf(jobId: string): string {
    if (!isSafeJobId(jobId)) throw new Error('unsafe job id')
    return join(this.dir, `${jobId}.json`)
  }
}
