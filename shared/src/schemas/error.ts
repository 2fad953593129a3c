import { z } from 'zod'

export const ErrorCode = z.enum([
  'bad_request',
  'validation_failed',
  'invalid_json',
  'invalid_magnet',
  'invalid_torrent',
  'not_signed_in',
  'invalid_credentials',
  'session_expired',
  'forbidden',
  'csrf_failed',
  'aup_required',
  'password_change_required',
  'blocked',
  'account_suspended',
  'insufficient_scope',
  'session_required',
  'turnstile_failed',
  'not_found',
  'method_not_allowed',
  'conflict',
  'email_taken',
  'payload_too_large',
  'unsupported_media_type',
  'quota_exceeded',
  'rate_limited',
  'internal_error',
  'service_unavailable',
  'misconfigured',
  'invalid_signature',
  'replayed',
  'link_invalid',
  'link_revoked',
  'link_expired',
  'storage_unavailable',
  'not_assigned',
  'duplicate_event',
  // Zips of a job's files (api/src/routes/zip.ts).
  'job_not_completed',
  'zip_needs_checksums',
  'zip_changed',
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const ErrorIssue = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
})
export type ErrorIssue = z.infer<typeof ErrorIssue>

/** The one error shape every non-2xx answer of the API has. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(ErrorIssue).optional(),
    limit: z.string().optional(),
  }),
})
export type ErrorBody = z.infer<typeof ErrorBody>
