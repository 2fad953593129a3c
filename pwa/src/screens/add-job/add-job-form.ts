import {
  ApiError,
  formatBytes,
  formatEta,
  parseMagnet,
  type Plan,
  planCapacityText,
  type QuotaLimit,
} from '@tseeder/shared'
import { MAX_TORRENT_BYTES } from '@tseeder/shared/torrent-limits'

export interface AddJobInput {
  magnet: string
  torrent: File | null
  chooseFiles: boolean
}

export type AddJobErrors = Partial<Record<'magnet' | 'torrent' | 'form', string>>

export type AddJobRequest =
  | { kind: 'magnet'; magnet: string; chooseFiles: boolean }
  | { kind: 'torrent'; torrent: File; chooseFiles: boolean }

/**
 * Checks the add form before anything is sent, with a message per field a person can act on.
 *
 * @example
 * const result = validateAddJob({ magnet: text, torrent: null, chooseFiles: false })
 * if (!result.ok) showErrors(result.errors)
 */
export function validateAddJob(
  input: AddJobInput,
): { ok: true; request: AddJobRequest } | { ok: false; errors: AddJobErrors } {
  const magnet = input.magnet.trim()
  if (magnet && input.torrent) {
    return {
      ok: false,
      errors: { form: 'Add either a magnet link or a .torrent file, not both. Remove one.' },
    }
  }
  if (input.torrent) {
    const error = torrentFileError(input.torrent)
    if (error) return { ok: false, errors: { torrent: error } }
    return {
      ok: true,
      request: { kind: 'torrent', torrent: input.torrent, chooseFiles: input.chooseFiles },
    }
  }
  if (!magnet) {
    return { ok: false, errors: { magnet: 'Paste a magnet link, or pick a .torrent file below.' } }
  }

  const error = magnetError(magnet)
  if (error) return { ok: false, errors: { magnet: error } }
  return { ok: true, request: { kind: 'magnet', magnet, chooseFiles: input.chooseFiles } }
}

/** What is wrong with one magnet link, in the user's words; null when it is fine. */
export function magnetError(text: string): string | null {
  if (/^https?:\/\//i.test(text)) {
    return /\.torrent(\?|#|$)/i.test(text)
      ? 'That is a link to a .torrent file. Download the file, then pick it below.'
      : 'That is a web link, not a magnet link. Magnet links start with "magnet:?".'
  }
  const parsed = parseMagnet(text)
  return parsed.ok ? null : parsed.message
}

/** What is wrong with a picked file before its bytes are read (its name, type and size). */
export function torrentFileError(file: File): string | null {
  const looksLikeTorrent = /\.torrent$/i.test(file.name) || file.type === 'application/x-bittorrent'
  if (!looksLikeTorrent) return `"${file.name}" is not a .torrent file.`
  if (file.size === 0) return `"${file.name}" is empty.`
  if (file.size > MAX_TORRENT_BYTES) {
    const limit = formatBytes(MAX_TORRENT_BYTES)
    const size = formatBytes(file.size) === limit ? `over ${limit}` : formatBytes(file.size)
    return `"${file.name}" is ${size}; .torrent files can be at most ${limit}. Check that you picked a .torrent and not the download itself.`
  }
  return null
}

/** The body `api.createJob` takes for a validated request. */
export function createJobBody(
  request: AddJobRequest,
): { magnet: string; chooseFiles?: boolean } | FormData {
  if (request.kind === 'magnet') {
    return request.chooseFiles
      ? { magnet: request.magnet, chooseFiles: true }
      : { magnet: request.magnet }
  }
  const form = new FormData()
  form.set('torrent', request.torrent, request.torrent.name)
  if (request.chooseFiles) form.set('chooseFiles', 'true')
  return form
}

const LIMIT_NAMES: Record<QuotaLimit, string> = {
  active_jobs: 'waiting jobs',
  storage: 'storage',
  max_file_size: 'largest file size',
  bandwidth: 'monthly bandwidth',
}

function planAllowance(limit: string | undefined, plan: Plan | undefined): string | null {
  if (!plan) return null
  switch (limit) {
    case 'active_jobs':
      return plan.maxActiveJobs === null && plan.maxQueuedJobs === null
        ? null
        : planCapacityText(plan)
    case 'storage':
      return plan.storageBytes === null ? null : `${formatBytes(plan.storageBytes)} of storage`
    case 'max_file_size':
      return plan.maxFileBytes === null ? null : `files up to ${formatBytes(plan.maxFileBytes)}`
    case 'bandwidth':
      return plan.bandwidthBytesPerMonth === null
        ? null
        : `${formatBytes(plan.bandwidthBytesPerMonth)} of downloads a month`
    default:
      return null
  }
}

const QUOTA_ADVICE: Record<QuotaLimit, string> = {
  active_jobs: 'Wait for a job to finish, or pause or cancel one, then try again.',
  storage: 'Delete finished jobs you no longer need to free space, then try again.',
  max_file_size:
    'This torrent has a file larger than your plan allows. Choose smaller files, or upgrade.',
  bandwidth: 'Your downloads this month reached the limit; it resets on the 1st.',
}

/** Which field a refusal belongs to and what to tell the person, for every way `createJob` can fail. */
export function describeCreateError(
  error: unknown,
  request: AddJobRequest,
  plan?: Plan,
): { field: 'magnet' | 'torrent' | 'form'; title?: string; message: string } {
  const inputField = request.kind === 'magnet' ? 'magnet' : 'torrent'
  if (!(error instanceof ApiError)) {
    return {
      field: 'form',
      message:
        error instanceof TypeError
          ? 'Cannot reach tseeder. Check your connection and try again.'
          : error instanceof Error
            ? error.message
            : String(error),
    }
  }
  switch (error.code) {
    case 'blocked':
      return {
        field: 'form',
        title: 'This torrent is blocked',
        message:
          'tseeder does not download this content. It is on the blocklist of refused torrents.',
      }
    case 'quota_exceeded': {
      const limit = error.limit as QuotaLimit | undefined
      const name = limit && limit in LIMIT_NAMES ? LIMIT_NAMES[limit] : null
      const allowance = planAllowance(limit, plan)
      return {
        field: 'form',
        title: name ? `Your plan’s ${name} limit is reached` : 'Your plan’s limit is reached',
        message: [
          allowance && plan ? `The ${plan.name} plan allows ${allowance}.` : error.message,
          limit && limit in QUOTA_ADVICE ? QUOTA_ADVICE[limit] : null,
        ]
          .filter(Boolean)
          .join(' '),
      }
    }
    case 'invalid_magnet':
    case 'invalid_torrent':
      return { field: inputField, message: error.message }
    case 'validation_failed':
    case 'bad_request': {
      const issue = error.issues?.[0]
      return {
        field: inputField,
        message: issue ? `${issue.path.join('.')} ${issue.message}`.trim() : error.message,
      }
    }
    case 'payload_too_large':
      return { field: 'torrent', message: error.message }
    case 'rate_limited':
      return {
        field: 'form',
        title: 'Too many jobs added at once',
        message: error.retryAfter
          ? `Try again in ${formatEta(error.retryAfter)}.`
          : 'Wait a moment and try again.',
      }
    case 'aup_required':
      return { field: 'form', message: 'Accept the acceptable use policy before adding jobs.' }
    case 'not_signed_in':
    case 'session_expired':
      return { field: 'form', message: 'Your session ended. Sign in again, then add the job.' }
    default:
      return { field: 'form', message: error.message }
  }
}
