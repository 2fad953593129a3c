import { useEffect, useState } from 'react'
import type { WxtStorageItem } from 'wxt/utils/storage'

/** A storage item's value, kept current when another page or the background changes it. */
export function useStoredValue<T>(item: WxtStorageItem<T, Record<string, unknown>>, initial: T): T {
  const [value, setValue] = useState(initial)
  useEffect(() => {
    void item.getValue().then(setValue)
    return item.watch((next) => setValue(next))
  }, [item])
  return value
}
