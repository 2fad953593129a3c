export interface PushSubscriptionRow {
  id: string
  endpoint: string
  p256dh: string
  auth: string
}

export async function listPushSubscriptions(
  db: D1Database,
  userId: string,
): Promise<PushSubscriptionRow[]> {
  const { results } = await db
    .prepare('SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = ?')
    .bind(userId)
    .all<PushSubscriptionRow>()
  return results
}

/**
 * Saves a browser's subscription for `userId`, or refreshes its keys when that user already has
 * it. An endpoint another user holds is left alone (a subscription never moves between users):
 * then it returns false.
 */
export async function savePushSubscription(
  db: D1Database,
  subscription: { userId: string; endpoint: string; p256dh: string; auth: string; now: number },
): Promise<boolean> {
  const saved = await db
    .prepare(
      `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth
       WHERE push_subscriptions.user_id = excluded.user_id
       RETURNING id`,
    )
    .bind(
      crypto.randomUUID(),
      subscription.userId,
      subscription.endpoint,
      subscription.p256dh,
      subscription.auth,
      subscription.now,
    )
    .first<{ id: string }>()
  return saved !== null
}

/** Deletes the user's subscriptions beyond the `keep` newest (the oldest go first). */
export function trimPushSubscriptionsStatement(
  db: D1Database,
  userId: string,
  keep: number,
): D1PreparedStatement {
  return db
    .prepare(
      `DELETE FROM push_subscriptions WHERE user_id = ? AND id NOT IN (
         SELECT id FROM push_subscriptions WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?
       )`,
    )
    .bind(userId, userId, keep)
}

export function deleteUserPushSubscriptionStatement(
  db: D1Database,
  endpoint: string,
  userId: string,
): D1PreparedStatement {
  return db
    .prepare('DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?')
    .bind(endpoint, userId)
}

export async function deletePushSubscription(db: D1Database, id: string): Promise<void> {
  await db.prepare('DELETE FROM push_subscriptions WHERE id = ?').bind(id).run()
}

export async function markPushDelivered(db: D1Database, id: string, now: number): Promise<void> {
  await db
    .prepare('UPDATE push_subscriptions SET last_success_at = ? WHERE id = ?')
    .bind(now, id)
    .run()
}
