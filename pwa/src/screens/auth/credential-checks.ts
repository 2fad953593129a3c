// The browser's own check of the sign-in and sign-up fields, with the same shared schemas the
// server uses. Its own chunk: zod is not part of the first load, and the form loads this when a
// field is first touched (or on submit).
import { LoginBody, RegisterBody } from '@tseeder/shared'
import { issueMessages } from '../../ui/field.tsx'

/** Each bad field's message (none when the fields pass). */
export function credentialProblems(
  mode: 'signin' | 'signup',
  fields: { email: string; password: string },
): Record<string, string> {
  const checked = (mode === 'signup' ? RegisterBody : LoginBody).safeParse(fields)
  return checked.success ? {} : issueMessages(checked.error.issues)
}
