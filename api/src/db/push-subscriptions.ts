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

/** Saves a browser's subscription; an endpoint seen before moves to this user with the new keys. */
export function upsertPushSubscriptionStatement(
  db: D1Database,
  subscription: { userId: string; endpoint: string; p256dh: string; auth: string; now: number },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth`,
    )
    .bind(
      crypto.randomUUID(),
      subscription.userId,
      subscription.endpoint,
      subscription.p256dh,
      subscription.auth,
      subscription.now,
    )
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
