import { MeResponse } from '@tseeder/shared'

/**
 * The account saved by an earlier visit, checked in full: an older version of the app may have
 * written it. Loaded only when the app starts offline, so zod stays off the first page.
 */
export function parseStoredMe(text: string | null): MeResponse | null {
  try {
    const parsed = MeResponse.safeParse(JSON.parse(text ?? 'null'))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
