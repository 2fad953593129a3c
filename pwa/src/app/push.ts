import type { PushSubscriptionBody } from '@tseeder/shared'
import { api } from './api.ts'

/** Where this device stands with job notifications. */
export type PushState = 'on' | 'off' | 'denied' | 'unsupported'

/** A reason push cannot be turned on, worded for the person who clicked. */
export class PushUnavailableError extends Error {
  override readonly name = 'PushUnavailableError'
}

let pushKey: Promise<string> | null = null

/** Browsers wait on their push service without a deadline when it is unreachable. */
const SUBSCRIBE_TIMEOUT_MS = 15_000

function withTimeout<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(reason)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error as Error)
      },
    )
  })
}

/**
 * The server's VAPID public key, fetched once per page; `''` when the server has no push keys.
 * Screens call it early so `enablePush()` does not wait on the network after the click.
 */
export function loadPushKey(): Promise<string> {
  pushKey ??= api.pushKey().then(
    ({ publicKey }) => publicKey,
    (error: unknown) => {
      pushKey = null
      throw error
    },
  )
  return pushKey
}

/** True when this browser can receive web push (service workers, Push API and notifications). */
export function pushSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof window !== 'undefined' &&
    'PushManager' in window &&
    'Notification' in window
  )
}

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  return navigator.serviceWorker.getRegistration()
}

/**
 * Whether this device gets job notifications. Never asks for permission: it only reads the
 * permission and the service worker's current subscription.
 */
export async function pushState(): Promise<PushState> {
  if (!pushSupported()) return 'unsupported'
  if (Notification.permission === 'denied') return 'denied'
  if (Notification.permission !== 'granted') return 'off'
  const subscription = await (await registration())?.pushManager.getSubscription()
  return subscription ? 'on' : 'off'
}

/**
 * Turns notifications on for this device: asks for permission (call it only from a click),
 * subscribes the service worker with the server's VAPID key and registers the subscription.
 * Throws `PushUnavailableError` with a readable message when it cannot.
 *
 * @example <button onClick={() => enablePush().then(refresh, showError)}>Turn on</button>
 */
export async function enablePush(): Promise<void> {
  if (!pushSupported()) {
    throw new PushUnavailableError('This browser cannot show notifications from web apps.')
  }
  // Asked first, before any await, so the browser still sees the click that led here.
  const permission = Notification.requestPermission()
  const key = loadPushKey()
  if ((await permission) !== 'granted') {
    throw new PushUnavailableError(
      'Notifications are blocked for this site. Allow them in the browser’s site settings, then try again.',
    )
  }
  const publicKey = await key
  if (!publicKey) {
    throw new PushUnavailableError('Push notifications are not configured on this server.')
  }
  const reg = await registration()
  if (!reg) {
    throw new PushUnavailableError(
      'The app’s offline support is still starting. Reload the page and try again.',
    )
  }
  let subscription = await reg.pushManager.getSubscription()
  try {
    subscription ??= await withTimeout(
      reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlToBytes(publicKey),
      }),
      SUBSCRIBE_TIMEOUT_MS,
      'no answer in time',
    )
  } catch (error) {
    // The browser's own push service (not tseeder) refused or could not be reached.
    throw new PushUnavailableError(
      `The browser’s push service did not accept the subscription (${(error as Error).message}). Check the connection and try again.`,
    )
  }
  try {
    await api.subscribePush({ body: subscription.toJSON() as PushSubscriptionBody })
  } catch (error) {
    // A subscription the server does not know about would never deliver anything.
    await subscription.unsubscribe().catch(() => false)
    throw error
  }
}

/**
 * Turns notifications off for this device: tells the server to forget the subscription, then
 * drops it in the browser (even when the server could not be reached, so nothing more arrives).
 */
export async function disablePush(): Promise<void> {
  if (!pushSupported()) return
  const subscription = await (await registration())?.pushManager.getSubscription()
  if (!subscription) return
  try {
    await api.unsubscribePush({ body: { endpoint: subscription.endpoint } })
  } finally {
    await subscription.unsubscribe().catch(() => false)
  }
}

/** Decodes a base64url VAPID key into the bytes `pushManager.subscribe` expects. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=')
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
