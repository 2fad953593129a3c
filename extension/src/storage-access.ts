// Who may read the extension's storage. `local` holds the API token, the account and the job
// list, and content scripts run in every web page: a page that compromises its renderer process
// gets whatever its content scripts may read. So content scripts read one setting, nothing else.
//
// Chrome (140+) lets the background close `local` to content scripts (`setAccessLevel`); they
// then read a copy of "Catch magnet link clicks" kept in `session` storage, opened to them and
// holding nothing else. Firefox offers no access level for any area (bugzilla 1724754) and never
// lets content scripts read `session`: there the catcher reads `preferences` in `local`, no
// content script code reads the connection (the test of this module holds it to that), and the
// connection and the job list are sealed with a key content scripts cannot reach (`vault.ts`):
// what they could read there is the preferences and the ids of jobs already announced.
import { browser } from 'wxt/browser'
import { storage } from 'wxt/utils/storage'
import { preferencesItem } from './storage.ts'

/** The copy content scripts read in Chrome; false until the background has written it. */
export const magnetCatchingItem = storage.defineItem<boolean>('session:catchMagnetClicks', {
  fallback: false,
})

/** "Catch magnet link clicks" as a content script may read it in the given browser. */
export interface MagnetCatchingSetting {
  getValue(): Promise<boolean>
  watch(onChange: (enabled: boolean) => void): void
}

export function magnetCatchingSetting(firefox: boolean): MagnetCatchingSetting {
  if (!firefox) {
    return {
      getValue: () => magnetCatchingItem.getValue(),
      watch: (onChange) => void magnetCatchingItem.watch((enabled) => onChange(enabled ?? false)),
    }
  }
  return {
    getValue: async () => (await preferencesItem.getValue()).catchMagnetClicks,
    watch: (onChange) => void preferencesItem.watch((next) => onChange(next.catchMagnetClicks)),
  }
}

/** Run by the background each time it starts: `session` storage (the copy) starts empty. */
export async function protectStorage(): Promise<void> {
  const { local, session } = browser.storage
  if (typeof local.setAccessLevel === 'function') {
    try {
      // First open `session` (the copy only), so the catcher works even where `local` stays open.
      await session.setAccessLevel({ accessLevel: 'TRUSTED_AND_UNTRUSTED_CONTEXTS' })
      await local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' })
    } catch (error) {
      // Chrome before 140 restricts only `session`: the token stays readable there, as in Firefox.
      console.warn(
        JSON.stringify({
          msg: 'could not close local storage to content scripts',
          error: String(error),
        }),
      )
    }
  }
  await copyMagnetCatching()
}

/** Keeps the content scripts' copy of the setting current. */
export function watchMagnetCatching(): void {
  preferencesItem.watch(() => void copyMagnetCatching())
}

async function copyMagnetCatching(): Promise<void> {
  await magnetCatchingItem.setValue((await preferencesItem.getValue()).catchMagnetClicks)
}
