import { useEffect, useState } from 'react'

/** What `useStoredValue` reads: a storage item (or `connectionItem`, which opens its token). */
export interface StoredValue<T> {
  getValue(): Promise<T>
  watch(callback: (value: T) => void): () => void
}

/** A storage item's value, kept current when another page or the background changes it. */
export function useStoredValue<T>(item: StoredValue<T>, initial: T): T {
  const [value, setValue] = useState(initial)
  useEffect(() => {
    void item.getValue().then(setValue)
    return item.watch((next) => setValue(next))
  }, [item])
  return value
}
