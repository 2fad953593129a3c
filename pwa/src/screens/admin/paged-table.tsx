import type { ReactNode } from 'react'
import { EmptyState, ErrorState, errorMessage, LoadingState } from '../../ui/states.tsx'
import { type Column, TableRegion } from './table-region.tsx'
import type { CursorList } from './use-cursor-list.ts'

/**
 * A paged admin list: loading, error and empty states, the table once there are rows, and
 * "Load more" under it.
 */
export function PagedTable<T>({
  list,
  label,
  columns,
  noun,
  loadingLabel,
  emptyTitle,
  children,
}: {
  list: CursorList<T>
  /** The table's accessible name. */
  label: string
  columns: readonly Column[]
  /** What the rows are, for "Load more …". */
  noun: string
  loadingLabel: string
  emptyTitle: string
  /** The table's rows for the loaded items. */
  children(items: T[]): ReactNode
}) {
  if (list.status === 'loading') return <LoadingState label={loadingLabel} />
  if (list.status === 'error') return <ErrorState error={list.error} retry={list.reload} />
  return (
    <>
      {list.items.length === 0 ? (
        <EmptyState title={emptyTitle} />
      ) : (
        <TableRegion label={label} columns={columns}>
          {children(list.items)}
        </TableRegion>
      )}
      <ListFooter list={list} noun={noun} />
    </>
  )
}

/** "Load more" under a paged table, with its own error line. */
function ListFooter({ list, noun }: { list: CursorList<unknown>; noun: string }) {
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
