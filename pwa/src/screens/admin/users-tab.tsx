import { type AdminUserPatch, PlanId, Role, type User } from '@tseeder/shared'
import { useCallback, useState } from 'react'
import { api } from '../../app/api.ts'
import { useMe } from '../../app/session.tsx'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { TextField } from '../../ui/field.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { FilterForm, useTextFilter } from './filter-form.tsx'
import { PagedTable } from './paged-table.tsx'
import { usePasswordReset } from './password-reset.tsx'
import { formatDateTime } from './time.ts'
import { useCursorList } from './use-cursor-list.ts'

/** What a change does, for the confirmation and the toast. */
function describePatch(user: User, patch: AdminUserPatch): { title: string; done: string } {
  if (patch.suspended === true) {
    return { title: `Suspend ${user.email}?`, done: `${user.email} suspended` }
  }
  if (patch.suspended === false) {
    return { title: `Unsuspend ${user.email}?`, done: `${user.email} can sign in again` }
  }
  if (patch.role) {
    return {
      title: `Make ${user.email} ${patch.role === 'admin' ? 'an admin' : 'a regular user'}?`,
      done: `${user.email} is now ${patch.role === 'admin' ? 'an admin' : 'a regular user'}`,
    }
  }
  return {
    title: `Move ${user.email} to the ${patch.plan} plan?`,
    done: `${user.email} is on the ${patch.plan} plan`,
  }
}

/** `/admin/users`: search accounts; change role and plan; suspend and unsuspend; reset a password. */
export function UsersTab() {
  const me = useMe()
  const search = useTextFilter()
  const [saving, setSaving] = useState<string | null>(null)
  const { confirm, dialog } = useConfirm()
  const passwordReset = usePasswordReset(confirm)

  const fetchPage = useCallback(
    async (cursor: string | undefined) => {
      const { users, nextCursor } = await api.adminListUsers({
        query: { ...(search.applied ? { q: search.applied } : {}), ...(cursor ? { cursor } : {}) },
      })
      return { items: users, nextCursor }
    },
    [search.applied],
  )
  const list = useCursorList(fetchPage)

  async function change(user: User, patch: AdminUserPatch) {
    const { title, done } = describePatch(user, patch)
    const ok = await confirm({
      title,
      message:
        patch.suspended === true
          ? 'They are signed out everywhere at once, their API tokens stop working and running jobs are paused.'
          : undefined,
      confirmLabel: patch.suspended === true ? 'Suspend' : 'Confirm',
      danger: patch.suspended === true || patch.role === 'user',
    })
    if (!ok) return
    setSaving(user.id)
    try {
      const { user: saved } = await api.adminUpdateUser({ params: { id: user.id }, body: patch })
      list.update((row) => row.id === saved.id, saved)
      toast(done, { tone: 'success' })
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    } finally {
      setSaving(null)
    }
  }

  return (
    <section aria-labelledby="users-heading">
      {dialog}
      <h2 id="users-heading">Users</h2>
      {passwordReset.notice}
      <FilterForm search submitLabel="Search" onFilter={search.apply}>
        <TextField
          label="Search by email"
          type="search"
          placeholder="name@example.com"
          {...search.field}
        />
      </FilterForm>
      <PagedTable
        list={list}
        label="User list"
        columns={['Email', 'Role', 'Plan', 'Status', 'Joined', { label: 'Actions', hidden: true }]}
        noun="users"
        loadingLabel="Loading users"
        emptyTitle={search.applied ? `No user matches “${search.applied}”` : 'No users yet'}
      >
        {(items) =>
          items.map((user) => {
            const self = user.id === me.user.id
            const busy = saving === user.id
            return (
              <tr key={user.id} data-suspended={user.suspended || undefined}>
                <th scope="row" className="cell-main">
                  {user.email}
                  {self && <span className="tag">You</span>}
                </th>
                <td>
                  <select
                    className="input input-small"
                    aria-label={`Role of ${user.email}`}
                    value={user.role}
                    disabled={busy || self}
                    onChange={(event) =>
                      void change(user, { role: Role.parse(event.target.value) })
                    }
                  >
                    {Role.options.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <select
                    className="input input-small"
                    aria-label={`Plan of ${user.email}`}
                    value={user.plan}
                    disabled={busy}
                    onChange={(event) =>
                      void change(user, { plan: PlanId.parse(event.target.value) })
                    }
                  >
                    {PlanId.options.map((plan) => (
                      <option key={plan} value={plan}>
                        {plan}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {user.suspended ? (
                    <span className="tag tag-bad">Suspended</span>
                  ) : user.aupAcceptedAt ? (
                    'Active'
                  ) : (
                    'AUP not accepted'
                  )}
                </td>
                <td className="nowrap">{formatDateTime(user.createdAt)}</td>
                <td>
                  {!self && (
                    <button
                      type="button"
                      className="button button-small"
                      disabled={busy}
                      aria-label={`Reset the password of ${user.email}`}
                      onClick={() => void passwordReset.reset(user)}
                    >
                      Reset password
                    </button>
                  )}
                  {!self && (
                    <button
                      type="button"
                      className={
                        user.suspended
                          ? 'button button-small'
                          : 'button button-small button-subtle-danger'
                      }
                      disabled={busy}
                      aria-label={`${user.suspended ? 'Unsuspend' : 'Suspend'} ${user.email}`}
                      onClick={() => void change(user, { suspended: !user.suspended })}
                    >
                      {user.suspended ? 'Unsuspend' : 'Suspend'}
                    </button>
                  )}
                </td>
              </tr>
            )
          })
        }
      </PagedTable>
    </section>
  )
}
