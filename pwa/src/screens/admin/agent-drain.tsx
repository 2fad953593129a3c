import type { AgentInfo } from '@tseeder/shared'
import { useState } from 'react'
import { api } from '../../app/api.ts'
import { useConfirm } from '../../ui/confirm-dialog.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'

/** The button's text: what pressing it does to the agent as it is. */
export function drainLabel(agent: Pick<AgentInfo, 'draining'>): string {
  return agent.draining ? 'Stop draining' : 'Drain'
}

/**
 * Drain an agent, or stop draining it, after asking. Render `dialog`; `toggle` asks, calls the
 * admin API and hands the agent as the server answered it to `onSaved`.
 */
export function useAgentDrain(onSaved: (agent: AgentInfo) => void) {
  const { confirm, dialog } = useConfirm()
  const [busy, setBusy] = useState<string | null>(null)

  async function toggle(agent: AgentInfo) {
    const draining = !agent.draining
    const ok = await confirm(
      draining
        ? {
            title: `Drain ${agent.id}?`,
            message:
              'It gets no new jobs. Its transfers finish there; its parked torrents go back to the line and keep their place.',
            confirmLabel: 'Drain agent',
            danger: true,
          }
        : {
            title: `Stop draining ${agent.id}?`,
            message: 'It takes jobs from the line again.',
            confirmLabel: 'Stop draining',
          },
    )
    if (!ok) return
    setBusy(agent.id)
    try {
      const saved = await api.adminDrainAgent({ params: { id: agent.id }, body: { draining } })
      onSaved(saved)
      toast(
        saved.draining
          ? `${saved.id} is draining: it gets no new jobs.`
          : `${saved.id} takes new jobs again.`,
        { tone: 'success' },
      )
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
    } finally {
      setBusy(null)
    }
  }

  return { toggle, busy, dialog }
}
