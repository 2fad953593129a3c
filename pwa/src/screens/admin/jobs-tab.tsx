import { formatBytes, formatPercent, JobStatus, STATUS_LABELS } from '@tseeder/shared'
import { StatusBadge } from '@tseeder/shared/ui'
import { useCallback, useState } from 'react'
import { api } from '../../app/api.ts'
import { Field, TextField } from '../../ui/field.tsx'
import { FilterForm, useTextFilter } from './filter-form.tsx'
import { COMMAND_LABELS, jobCommands, useJobCommands } from './job-commands.tsx'
import { PagedTable } from './paged-table.tsx'
import { formatDateTime } from './time.ts'
import { useCursorList } from './use-cursor-list.ts'

/** `/admin/jobs`: every user's jobs, by status or owner; cancel, retry or delete one with a reason. */
export function JobsTab() {
  const [status, setStatus] = useState<JobStatus | ''>('')
  const userFilter = useTextFilter()

  const fetchPage = useCallback(
    async (cursor: string | undefined) => {
      const { jobs, nextCursor } = await api.adminListJobs({
        query: {
          ...(status ? { status } : {}),
          ...(userFilter.applied ? { userId: userFilter.applied } : {}),
          ...(cursor ? { cursor } : {}),
        },
      })
      return { items: jobs, nextCursor }
    },
    [status, userFilter.applied],
  )
  const list = useCursorList(fetchPage)
  const commands = useJobCommands(list)

  return (
    <section aria-labelledby="admin-jobs-heading">
      {commands.dialog}
      <h2 id="admin-jobs-heading">Jobs</h2>
      <FilterForm onFilter={userFilter.apply}>
        <Field label="Status">
          {(props) => (
            <select
              {...props}
              className="input"
              value={status}
              onChange={(event) => setStatus(event.target.value as JobStatus | '')}
            >
              <option value="">Any status</option>
              {JobStatus.options.map((option) => (
                <option key={option} value={option}>
                  {STATUS_LABELS[option]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextField label="User id" placeholder="Any user" {...userFilter.field} />
      </FilterForm>
      <PagedTable
        list={list}
        label="Job list"
        columns={[
          'Name',
          'Status',
          { label: 'Progress', numeric: true },
          { label: 'Size', numeric: true },
          'User',
          'Agent',
          { label: 'Attempt', numeric: true },
          'Created',
          'Actions',
        ]}
        noun="jobs"
        loadingLabel="Loading jobs"
        emptyTitle="No jobs match these filters"
      >
        {(items) =>
          items.map((job) => (
            <tr key={job.id}>
              <th scope="row" className="cell-main" title={job.infohash}>
                {job.name}
                {job.error && <span className="cell-note">{job.error.message}</span>}
              </th>
              <td>
                <StatusBadge status={job.status} />
              </td>
              <td className="num">{formatPercent(job.progressPct)}</td>
              <td className="num">{job.bytesTotal ? formatBytes(job.bytesTotal) : '—'}</td>
              <td>
                <button
                  type="button"
                  className="link-button mono"
                  aria-label={`Show only jobs of user ${job.userId}`}
                  onClick={() => userFilter.set(job.userId)}
                >
                  {job.userId.slice(0, 8)}
                </button>
              </td>
              <td className="mono">{job.agentId ?? '—'}</td>
              <td className="num">{job.attempt}</td>
              <td className="nowrap">{formatDateTime(job.createdAt)}</td>
              <td className="nowrap">
                {jobCommands(job.status).map((command) => (
                  <button
                    key={command}
                    type="button"
                    className={command === 'retry' ? 'button' : 'button button-danger'}
                    aria-label={`${COMMAND_LABELS[command]} ${job.name}`}
                    disabled={commands.busy === job.id}
                    onClick={() => void commands.run(job, command)}
                  >
                    {COMMAND_LABELS[command]}
                  </button>
                ))}
              </td>
            </tr>
          ))
        }
      </PagedTable>
    </section>
  )
}
