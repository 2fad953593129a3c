import { errorMessage } from '../../ui/states.tsx'
import type { CursorList } from './use-cursor-list.ts'

/** "Load more" under a paged table, with its own error line. */
export function ListFooter({ list, noun }: { list: CursorList<unknown>; noun: string }) {
  if (!list.nextCursor && !list.moreError) return null
  return (
    <div className="list-footer">
      {list.moreError !== null && (
        <p className="form-error" role="alert">
          Could not load more {noun}: {errorMessage(list.moreError)}
        </p>
      )}
      {list.nextCursor && (
        <button
          type="button"
          className="button"
          disabled={list.loadingMore}
          onClick={list.loadMore}
        >
          {list.loadingMore ? 'Loading…' : `Load more ${noun}`}
        </button>
      )}
    </div>
  )
}
