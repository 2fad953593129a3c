import { handOverLeadership, listActiveFollowers, moveFollowers } from '../db/jobs.ts'
import type { JobChange } from './job-intents.ts'
import type { JobProgressDO } from './job-progress.ts'

type JobStub = Pick<DurableObjectStub<JobProgressDO>, 'mirror' | 'becomeLeader' | 'setLeader'>

/**
 * Other users' jobs riding on a leader job's download (the same content, in flight once). The
 * leader mirrors its changes to them, and when it stops downloading its first follower takes over.
 */
export class Followers {
  /**
   * Cached, as progress arrives every 2 s and followers are rare; a job that starts following
   * calls `followersChanged` on its leader, and mirrors to a job that stopped following are
   * ignored by it.
   */
  private ids: string[] | null = null
  /** Counts `forget`s: a list read before the latest one is used once but not kept. */
  private generation = 0

  constructor(
    private readonly db: D1Database,
    private readonly job: (id: string) => JobStub,
    /** Tells a user's object that their jobs changed (`forgetReads`). */
    private readonly changed: (userId: string) => Promise<void>,
  ) {}

  forget(): void {
    this.ids = null
    this.generation += 1
  }

  async mirror(leaderId: string, change: JobChange): Promise<void> {
    let ids = this.ids
    if (!ids) {
      const generation = this.generation
      ids = await listActiveFollowers(this.db, leaderId)
      if (generation === this.generation) this.ids = ids
    }
    for (const id of ids) await this.job(id).mirror(id, change)
  }

  /** The leader stops downloading (paused, cancelled, deleted, over quota): its first follower takes over. */
  async handOver(leaderId: string): Promise<void> {
    const [heir, ...rest] = await listActiveFollowers(this.db, leaderId)
    this.ids = null
    if (!heir) return
    for (const owner of await handOverLeadership(this.db, leaderId, heir)) await this.changed(owner)
    await this.job(heir).becomeLeader(heir)
    for (const id of rest) await this.job(id).setLeader(id, heir)
  }

  /** `from` follows `leaderId` now (which took its download over): so do its followers. */
  async adopt(from: string, leaderId: string): Promise<void> {
    const ids = await listActiveFollowers(this.db, from)
    for (const owner of await moveFollowers(this.db, from, leaderId)) await this.changed(owner)
    this.forget()
    for (const id of ids) await this.job(id).setLeader(id, leaderId)
  }
}
