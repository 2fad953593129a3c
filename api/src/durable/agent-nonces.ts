import { DurableObject } from 'cloudflare:workers'
import { SeenNonces } from '../db/agent-nonces.ts'

const PRUNE_EVERY_MS = 60_000

/**
 * One per agent: the nonces of its signed requests to the Worker, so a captured request is
 * accepted once. Why a Durable Object: the check must be exact and immediate across every
 * location a request may land in (KV is eventually consistent, the Cache API per location), and
 * one object per agent spreads the load: it sees one call per signed request of that agent (a
 * progress callback every 2 s per job), answered from its own SQLite with one row written.
 */
export class AgentNoncesDO extends DurableObject<Env> {
  private readonly nonces: SeenNonces
  private pruneScheduled = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.nonces = new SeenNonces(ctx.storage.sql)
  }

  /** Records `nonce` until `expiresAt`; false when it was already used (a replay). */
  async claim(nonce: string, expiresAt: number): Promise<boolean> {
    const fresh = this.nonces.claim(nonce, expiresAt, Date.now())
    if (fresh && !this.pruneScheduled) {
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(expiresAt)
      this.pruneScheduled = true
    }
    return fresh
  }

  /** Forgets expired nonces, at most once a minute, until none is left. */
  override async alarm(): Promise<void> {
    const now = Date.now()
    const next = this.nonces.prune(now)
    if (next === null) this.pruneScheduled = false
    else await this.ctx.storage.setAlarm(Math.max(next, now + PRUNE_EVERY_MS))
  }
}
