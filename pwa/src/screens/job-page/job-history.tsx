import { formatBytes, type JobEvent, STATUS_LABELS } from '@tseeder/shared'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../../app/api.ts'
import { EmptyState, ErrorState, LoadingState } from '../../ui/states.tsx'

type HistoryState =
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; events: JobEvent[] }

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })

/** One history line in words; progress ticks are left out (the header shows the latest). */
export function describeEvent(event: JobEvent): string | null {
  switch (event.type) {
    case 'status':
      return event.error
        ? `${STATUS_LABELS[event.status]}: ${event.error.message}`
        : STATUS_LABELS[event.status]
    case 'metadata':
      return `File list received: ${event.fileCount} ${event.fileCount === 1 ? 'file' : 'files'}, ${formatBytes(event.bytesTotal)}`
    case 'error':
      return `Error: ${event.message}`
    case 'progress':
      return null
  }
}

/** The job's recorded events, oldest first; reloaded whenever `version` changes. */
export function JobHistory({ jobId, version }: { jobId: string; version: string }) {
  const [state, setState] = useState<HistoryState>({ status: 'loading' })

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const { events } = await api.jobHistory({ params: { id: jobId } }, { signal })
        setState({ status: 'ready', events })
      } catch (error) {
        if (!signal?.aborted) setState({ status: 'error', error })
      }
    },
    [jobId],
  )

  useEffect(() => {
    const controller = new AbortController()
    void load(controller.signal)
    return () => controller.abort()
  }, [load, version])

  if (state.status === 'loading') return <LoadingState label="Loading the history" />
  if (state.status === 'error') {
    return <ErrorState error={state.error} retry={() => void load()} />
  }
  const lines = state.events.flatMap((event) => {
    const text = describeEvent(event)
    return text ? [{ event, text }] : []
  })
  if (lines.length === 0) {
    return <EmptyState title="Nothing recorded yet">Status changes will appear here.</EmptyState>
  }
  return (
    <ol className="history">
      {lines.map(({ event, text }) => (
        <li key={event.seq} className="history-item" data-type={event.type}>
          {event.at && (
            <time dateTime={event.at} className="history-time">
              {timeFormat.format(new Date(event.at))}
            </time>
          )}
          <span className="history-text">{text}</span>
        </li>
      ))}
    </ol>
  )
}
