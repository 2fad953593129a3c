import type { AuditEntry } from '@tseeder/shared'
import { useCallback, useState } from 'react'
import { api } from '../../app/api.ts'
import { TextField } from '../../ui/field.tsx'
import { FilterForm } from './filter-form.tsx'
import { PagedTable } from './paged-table.tsx'
import { formatDateTime } from './time.ts'
import { useCursorList } from './use-cursor-list.ts'

interface AuditFilters {
  actorId: string
  action: string
}

/** `/admin/audit`: every mutation, newest first, filtered by actor and action. */
export function AuditTab() {
  const [draft, setDraft] = useState<AuditFilters>({ actorId: '', action: '' })
  const [filters, setFilters] = useState<AuditFilters>({ actorId: '', action: '' })

  const fetchPage = useCallback(
    async (cursor: string | undefined) => {
      const { entries, nextCursor } = await api.adminAudit({
        query: {
          ...(filters.actorId ? { actorId: filters.actorId } : {}),
          ...(filters.action ? { action: filters.action } : {}),
          ...(cursor ? { cursor } : {}),
        },
      })
      return { items: entries, nextCursor }
    },
    [filters],
  )
  const list = useCursorList(fetchPage)

  const filtered = filters.actorId !== '' || filters.action !== ''

  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit log</h2>
      <FilterForm
        onFilter={() => setFilters({ actorId: draft.actorId.trim(), action: draft.action.trim() })}
        actions={
          filtered && (
            <button
              type="button"
              className="button"
              onClick={() => {
                setDraft({ actorId: '', action: '' })
                setFilters({ actorId: '', action: '' })
              }}
            >
              Clear
            </button>
          )
        }
      >
        <TextField
          label="Actor id"
          value={draft.actorId}
          placeholder="Any actor"
          onChange={(actorId) => setDraft({ ...draft, actorId })}
        />
        <TextField
          label="Action"
          value={draft.action}
          placeholder="e.g. job.created"
          maxLength={100}
          onChange={(action) => setDraft({ ...draft, action })}
        />
      </FilterForm>
      <PagedTable
        list={list}
        label="Audit log entries"
        columns={['When', 'Actor', 'Action', 'Target', 'From', 'Details']}
        noun="entries"
        loadingLabel="Loading the audit log"
        emptyTitle={filtered ? 'No entries match these filters' : 'The audit log is empty'}
      >
        {(items) =>
          items.map((entry) => (
            <AuditRow
              key={entry.id}
              entry={entry}
              onActor={(actorId) => {
                setDraft({ ...draft, actorId })
                setFilters({ ...filters, actorId })
              }}
            />
          ))
        }
      </PagedTable>
    </section>
  )
}

function AuditRow({ entry, onActor }: { entry: AuditEntry; onActor(actorId: string): void }) {
  return (
    <tr>
      <th scope="row" className="nowrap">
        {formatDateTime(entry.createdAt)}
      </th>
      <td>
        <span className="tag">{entry.actorType}</span>{' '}
        {entry.actorId && (
          <button
            type="button"
            className="link-button mono"
            aria-label={`Show only entries by ${entry.actorId}`}
            onClick={() => onActor(entry.actorId!)}
          >
            {entry.actorId.slice(0, 8)}
          </button>
        )}
      </td>
      <td className="mono">{entry.action}</td>
      <td>
        {entry.targetType ? (
          <>
            {entry.targetType}
            {entry.targetId && <span className="cell-note mono">{entry.targetId}</span>}
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        {entry.ip ?? '—'}
        {entry.userAgent && <span className="cell-note">{entry.userAgent}</span>}
      </td>
      <td>
        {entry.meta && Object.keys(entry.meta).length > 0 ? (
          <details>
            <summary>Show</summary>
            <pre className="audit-meta">{JSON.stringify(entry.meta, null, 2)}</pre>
          </details>
        ) : (
          '—'
        )}
        {entry.requestId && <span className="cell-note mono">req {entry.requestId}</span>}
      </td>
    </tr>
  )
}
