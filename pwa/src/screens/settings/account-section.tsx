import { formatBytes, formatEta, type Plan, planCapacityText, type Usage } from '@tseeder/shared'
import { ProgressBar } from '@tseeder/shared/ui'
import { useState } from 'react'
import { useNavigate } from 'react-router'
import { useMe, useSession } from '../../app/session.tsx'
import { errorMessage } from '../../ui/states.tsx'
import { toast } from '../../ui/toast.tsx'
import { NotificationsSection } from './notifications-section.tsx'
import { ChangePasswordForm, DeleteAccountSection, SignOutEverywhere } from './security-section.tsx'

interface Meter {
  label: string
  used: number
  limit: number | null
  format(value: number): string
}

/** The plan's gauges: storage, the month's bandwidth, transfers now and jobs waiting. */
export function meters(plan: Plan, usage: Usage): Meter[] {
  const count = (value: number) => String(value)
  return [
    { label: 'Storage', used: usage.storageBytes, limit: plan.storageBytes, format: formatBytes },
    {
      label: `Bandwidth in ${monthName(usage.bandwidthPeriod)}`,
      used: usage.bandwidthBytes,
      limit: plan.bandwidthBytesPerMonth,
      format: formatBytes,
    },
    { label: 'Transfers', used: usage.transfers, limit: plan.maxActiveJobs, format: count },
    {
      label: 'Waiting',
      used: Math.max(0, usage.activeJobs - usage.transfers),
      limit: plan.maxQueuedJobs,
      format: count,
    },
  ]
}

/** How many jobs the plan runs and lets wait, and how long one may wait for an agent. */
export function planLimits(plan: Plan): string[] {
  return [
    planCapacityText(plan),
    plan.maxQueueWaitSeconds !== null &&
      `a job waits up to ${formatEta(plan.maxQueueWaitSeconds)} for an agent`,
  ].filter((line): line is string => typeof line === 'string')
}

/** "2025-11" → "November 2025", in the reader's language. */
export function monthName(period: string): string {
  const [year, month] = period.split('-').map(Number)
  if (!year || !month) return period
  return new Intl.DateTimeFormat(undefined, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year, month - 1, 1)))
}

function UsageMeter({ meter }: { meter: Meter }) {
  const { label, used, limit, format } = meter
  const pct = limit ? (used / limit) * 100 : 0
  const tone = limit && pct >= 100 ? 'failed' : limit && pct >= 85 ? 'idle' : 'active'
  return (
    <div className="meter">
      <div className="meter-head">
        <span className="meter-label">{label}</span>
        <span className="meter-value">
          {format(used)} {limit === null ? '· unlimited' : `of ${format(limit)}`}
        </span>
      </div>
      {limit !== null && <ProgressBar value={pct} label={`${label} used`} tone={tone} />}
    </div>
  )
}

/** What the plan allows beyond the meters; each is a limit, so it reads "up to". */
export function planAllowances(plan: Plan): string[] {
  return [
    plan.maxFileBytes !== null && `files up to ${formatBytes(plan.maxFileBytes)}`,
    plan.retentionDays !== null && `files kept ${plan.retentionDays} days`,
    plan.maxSessions !== null &&
      `up to ${plan.maxSessions} signed-in ${plan.maxSessions === 1 ? 'device' : 'devices'}`,
  ].filter((line): line is string => typeof line === 'string')
}

/** `/settings`: the plan, what is used of it, notifications and sign-out. */
export function AccountSection() {
  const { user, plan, usage } = useMe()
  const { signOut } = useSession()
  const navigate = useNavigate()
  const [signingOut, setSigningOut] = useState(false)

  async function leave() {
    setSigningOut(true)
    try {
      await signOut()
      void navigate('/signin', { replace: true })
    } catch (error) {
      toast(errorMessage(error), { tone: 'error' })
      setSigningOut(false)
    }
  }

  const limits = planAllowances(plan)

  return (
    <>
      <section className="card settings-card" aria-labelledby="plan-heading">
        <div className="section-head">
          <h2 id="plan-heading">Plan and usage</h2>
          <span className="plan-badge">{plan.name}</span>
        </div>
        <p className="section-meta">
          Signed in as <strong>{user.email}</strong>
          {limits.length > 0 && <> · {limits.join(' · ')}</>}
        </p>
        <p className="section-meta">{planLimits(plan).join(' · ')}</p>
        <div className="meters">
          {meters(plan, usage).map((meter) => (
            <UsageMeter key={meter.label} meter={meter} />
          ))}
        </div>
      </section>

      <NotificationsSection />

      <ChangePasswordForm />

      <section className="card settings-card" aria-labelledby="signout-heading">
        <h2 id="signout-heading">Sign out</h2>
        <p className="section-meta">
          Sign out signs this device out and stops its notifications; manage other devices under
          Devices. Sign out everywhere signs out every device, this one too.
        </p>
        <div className="button-row">
          <button
            type="button"
            className="button button-danger"
            disabled={signingOut}
            onClick={() => void leave()}
          >
            {signingOut ? 'Signing out…' : 'Sign out'}
          </button>
          <SignOutEverywhere />
        </div>
      </section>

      <DeleteAccountSection />
    </>
  )
}
