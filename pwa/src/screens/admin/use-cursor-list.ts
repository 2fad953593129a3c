import { useCallback, useEffect, useRef, useState } from 'react'

export interface CursorPage<T> {
  items: T[]
  nextCursor: string | null
}

export interface CursorList<T> {
  status: 'loading' | 'ready' | 'error'
  items: T[]
  error: unknown
  nextCursor: string | null
  loadingMore: boolean
  /** A "Load more" failure, shown under the rows already loaded. */
  moreError: unknown
  reload(): void
  loadMore(): void
  /** Replaces one loaded row (after an edit) without reloading the list. */
  update(match: (item: T) => boolean, next: T): void
}

/**
 * A list the admin API pages with cursors. `fetchPage` changes identity when the filters change
 * (wrap it in `useCallback`), which reloads from the first page; an answer for older filters is
 * dropped.
 */
export function useCursorList<T>(
  fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>,
): CursorList<T> {
  const [status, setStatus] = useState<CursorList<T>['status']>('loading')
  const [items, setItems] = useState<T[]>([])
  const [error, setError] = useState<unknown>(null)
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const [moreError, setMoreError] = useState<unknown>(null)
  const generation = useRef(0)

  const reload = useCallback(() => {
    const mine = ++generation.current
    setStatus('loading')
    setMoreError(null)
    fetchPage(undefined).then(
      (page) => {
        if (mine !== generation.current) return
        setItems(page.items)
        setNextCursor(page.nextCursor)
        setStatus('ready')
      },
      (cause: unknown) => {
        if (mine !== generation.current) return
        setError(cause)
        setStatus('error')
      },
    )
  }, [fetchPage])

  useEffect(reload, [reload])

  const loadMore = useCallback(() => {
    if (!nextCursor || loadingMore) return
    const mine = generation.current
    setLoadingMore(true)
    setMoreError(null)
    fetchPage(nextCursor).then(
      (page) => {
        if (mine !== generation.current) return
        setItems((previous) => [...previous, ...page.items])
        setNextCursor(page.nextCursor)
        setLoadingMore(false)
      },
      (cause: unknown) => {
        if (mine !== generation.current) return
        setMoreError(cause)
        setLoadingMore(false)
      },
    )
  }, [fetchPage, nextCursor, loadingMore])

  const update = useCallback((match: (item: T) => boolean, next: T) => {
    setItems((previous) => previous.map((item) => (match(item) ? next : item)))
  }, [])

  return { status, items, error, nextCursor, loadingMore, moreError, reload, loadMore, update }
}
