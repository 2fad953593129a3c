import type { User } from '@tseeder/shared'
import { type ReactNode, useState } from 'react'
import { api } from '../../app/api.ts'
import type { ConfirmOptions } from '../../ui/confirm-dialog.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { CopyField } from '../settings/tokens-section.tsx'

/**
 * An admin's password reset: confirm, ask the server for a one-time password, and show it once
 * to hand over (there is no email service to send it).
 */
export function usePasswordReset(confirm: (options: ConfirmOptions) => Promise<boolean>): {
  reset(user: User): Promise<void>
  notice: ReactNode
} {
  const [shown, setShown] = useState<{ email: string; password: string } | null>(null)

  async function reset(user: User) {
    const ok = await confirm({
      title: `Reset the password of ${user.email}?`,
      message:
        'Their password is replaced by a one-time password shown to you once, and they are signed out everywhere. Give it to them: it signs in once, straight to choosing a new password.',
      confirmLabel: 'Reset password',
      danger: true,
    })
    if (!ok) return
    try {
      const { password } = await api.adminResetPassword({ params: { id: user.id } })
      setShown({ email: user.email, password })
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    }
  }

  const notice = shown && (
    <div className="new-token" role="region" aria-label={`New password for ${shown.email}`}>
      <p className="new-token-warning">
        <strong>Copy this password now.</strong> It is shown only once. Give it to {shown.email};
        signing in with it leads them straight to choosing a new password.
      </p>
      <CopyField
        label={`One-time password for ${shown.email}`}
        value={shown.password}
        what="Password"
      />
      <button type="button" className="button button-small" onClick={() => setShown(null)}>
        I have copied it
      </button>
    </div>
  )
  return { reset, notice }
}
