import { signOutHooks } from './session.tsx'

// Signing out must not leave this device receiving the previous user's notifications. The push
// code itself loads only then (or in Settings), not with the first page.
signOutHooks.add(async () => {
  const { disablePush } = await import('./push.ts')
  await disablePush().catch(() => undefined)
})
