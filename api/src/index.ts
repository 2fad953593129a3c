import { app } from './app.ts'
import { handleDeadLetters, handleDispatchBatch } from './jobs/dispatch.ts'
import { runScheduled } from './jobs/maintenance.ts'
import { DEAD_LETTER_QUEUE } from './queue/dispatch-queue.ts'

// The Worker's entry: only handlers and Durable Object classes may be exported from here.
export { AgentNoncesDO } from './durable/agent-nonces.ts'
export { DispatchLineDO } from './jobs/dispatch-line.ts'
export { JobProgressDO } from './durable/job-progress.ts'
export { RateLimiterDO } from './durable/rate-limiter.ts'
export { UserSessionDO } from './durable/user-session.ts'

export default {
  fetch: app.fetch,
  async queue(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext) {
    if (batch.queue === DEAD_LETTER_QUEUE) await handleDeadLetters(batch, env)
    else await handleDispatchBatch(batch, env)
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(runScheduled(controller.cron, env))
  },
} satisfies ExportedHandler<Env, unknown>
