import {
  listPlainSecretWebhooks,
  sealSecretStatement,
  webhookBinding,
  type WebhookRow,
} from '../db/webhooks.ts'
import { open, seal, type SealEnv } from '../lib/sealed-secret.ts'

/** Webhooks sealed per statement batch, and at most per run (a run's CPU stays small). */
const BATCH = 100
const MAX_PER_RUN = 5_000

/** The secret deliveries of `webhook` are signed with. Throws `UnreadableSecret`. */
export function webhookSecret(
  env: SealEnv,
  webhook: Pick<WebhookRow, 'id' | 'secret'>,
): Promise<string> {
  return open(env, webhookBinding(webhook.id), webhook.secret)
}

/**
 * Seals the webhook secrets stored before sealing existed (for the daily cron; a deploy that
 * brings sealing seals them by its first run). A secret rotated meanwhile is left as the rotation
 * stored it. How many it sealed.
 */
export async function sealPlainWebhookSecrets(env: SealEnv & { DB: D1Database }): Promise<number> {
  let sealed = 0
  while (sealed < MAX_PER_RUN) {
    const plain = await listPlainSecretWebhooks(env.DB, BATCH)
    if (plain.length === 0) break
    const statements = await Promise.all(
      plain.map(async (w) =>
        sealSecretStatement(
          env.DB,
          w.id,
          w.secret,
          await seal(env, webhookBinding(w.id), w.secret),
        ),
      ),
    )
    await env.DB.batch(statements)
    sealed += plain.length
  }
  return sealed
}
