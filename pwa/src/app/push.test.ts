// The push service and the browser's permission prompt cannot run here: the service worker
// registration, its PushManager and Notification are stand-ins; everything else is the real code.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const calls = vi.hoisted(() => ({
  pushKey: vi.fn<() => Promise<{ publicKey: string }>>(),
  subscribePush: vi.fn<(input: unknown) => Promise<void>>(),
  unsubscribePush: vi.fn<(input: unknown) => Promise<void>>(),
}))
vi.mock('./api.ts', () => ({ api: calls }))

const { base64UrlToBytes, disablePush, enablePush, pushState, pushSupported } =
  await import('./push.ts')
const { signOutHooks } = await import('./session.tsx')
await import('./push-on-sign-out.ts')

const KEY =
  'BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U'

interface FakeSubscription {
  endpoint: string
  toJSON(): unknown
  unsubscribe: ReturnType<typeof vi.fn>
}

let permission: NotificationPermission
let subscription: FakeSubscription | null
const requestPermission = vi.fn(async () => permission)
const subscribe = vi.fn(async () => {
  subscription = makeSubscription()
  return subscription
})

function makeSubscription(): FakeSubscription {
  const sub: FakeSubscription = {
    endpoint: 'https://push.example/abc',
    toJSON: () => ({ endpoint: sub.endpoint, keys: { p256dh: 'p', auth: 'a' } }),
    unsubscribe: vi.fn(async () => {
      subscription = null
      return true
    }),
  }
  return sub
}

beforeEach(() => {
  permission = 'default'
  subscription = null
  calls.pushKey.mockResolvedValue({ publicKey: KEY })
  calls.subscribePush.mockResolvedValue(undefined)
  calls.unsubscribePush.mockResolvedValue(undefined)
  vi.stubGlobal('PushManager', class {})
  vi.stubGlobal('Notification', {
    get permission() {
      return permission
    },
    requestPermission,
  })
  Object.defineProperty(navigator, 'serviceWorker', {
    configurable: true,
    value: {
      getRegistration: async () => ({
        pushManager: { getSubscription: async () => subscription, subscribe },
      }),
    },
  })
})

afterEach(() => {
  vi.unstubAllGlobals()
  vi.clearAllMocks()
})

describe('push', () => {
  it('reads the state without ever asking for permission', async () => {
    expect(pushSupported()).toBe(true)
    expect(await pushState()).toBe('off')
    permission = 'denied'
    expect(await pushState()).toBe('denied')
    permission = 'granted'
    expect(await pushState()).toBe('off')
    subscription = makeSubscription()
    expect(await pushState()).toBe('on')
    expect(requestPermission).not.toHaveBeenCalled()
  })

  it('says unsupported when the browser has no Push API', async () => {
    vi.stubGlobal('PushManager', undefined)
    Reflect.deleteProperty(window, 'PushManager')
    expect(await pushState()).toBe('unsupported')
    await expect(enablePush()).rejects.toThrow(/cannot show notifications/)
  })

  it('subscribes with the server key and registers the subscription', async () => {
    permission = 'granted'
    await enablePush()
    expect(subscribe).toHaveBeenCalledWith({
      userVisibleOnly: true,
      applicationServerKey: base64UrlToBytes(KEY),
    })
    expect(calls.subscribePush).toHaveBeenCalledWith({
      body: { endpoint: 'https://push.example/abc', keys: { p256dh: 'p', auth: 'a' } },
    })
    expect(await pushState()).toBe('on')
  })

  it('stops with a clear message when the permission is refused', async () => {
    permission = 'denied'
    await expect(enablePush()).rejects.toThrow(/blocked for this site/)
    expect(subscribe).not.toHaveBeenCalled()
  })

  it('drops the browser subscription when the server refuses it', async () => {
    permission = 'granted'
    calls.subscribePush.mockRejectedValueOnce(new Error('nope'))
    await expect(enablePush()).rejects.toThrow('nope')
    expect(subscription).toBeNull()
  })

  it('unsubscribes on the server and in the browser, also when signing out', async () => {
    permission = 'granted'
    subscription = makeSubscription()
    const sub = subscription
    await signOutHooks.run()
    expect(calls.unsubscribePush).toHaveBeenCalledWith({
      body: { endpoint: 'https://push.example/abc' },
    })
    expect(sub.unsubscribe).toHaveBeenCalled()
    expect(await pushState()).toBe('off')
    await disablePush()
    expect(calls.unsubscribePush).toHaveBeenCalledTimes(1)
  })

  it('decodes a base64url key into its 65 bytes', () => {
    const bytes = base64UrlToBytes(KEY)
    expect(bytes).toHaveLength(65)
    expect(bytes[0]).toBe(4)
  })
})

describe('push without a configured server key', () => {
  it('says push is not configured and subscribes nothing', async () => {
    vi.resetModules()
    calls.pushKey.mockResolvedValue({ publicKey: '' })
    const fresh = await import('./push.ts')
    permission = 'granted'
    await expect(fresh.enablePush()).rejects.toThrow(/not configured on this server/)
    expect(subscribe).not.toHaveBeenCalled()
  })
})

describe('push when the browser push service fails', () => {
  it('explains that the browser’s push service refused', async () => {
    permission = 'granted'
    subscribe.mockRejectedValueOnce(new DOMException('Registration failed - push service error'))
    await expect(enablePush()).rejects.toThrow(/push service did not accept/)
    expect(calls.subscribePush).not.toHaveBeenCalled()
  })
})

describe('push when the browser push service never answers', () => {
  it('gives up after a while instead of spinning forever', async () => {
    vi.useFakeTimers()
    try {
      permission = 'granted'
      subscribe.mockImplementationOnce(() => new Promise(() => {}))
      const result = expect(enablePush()).rejects.toThrow(/no answer in time/)
      await vi.advanceTimersByTimeAsync(15_000)
      await result
    } finally {
      vi.useRealTimers()
    }
  })
})
