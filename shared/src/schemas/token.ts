import { z } from 'zod'
import { Id, Timestamp } from './common.ts'

export const Scope = z.enum(['jobs:read', 'jobs:write', 'files:read'])
export type Scope = z.infer<typeof Scope>

export const ApiToken = z.object({
  id: Id,
  name: z.string(),
  scopes: z.array(Scope),
  /** The first characters of the token, enough to recognise it in a list. */
  prefix: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
})
export type ApiToken = z.infer<typeof ApiToken>

export const TokenList = z.object({ tokens: z.array(ApiToken) })

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  scopes: z
    .array(Scope)
    .min(1, 'must name at least one scope')
    .transform((scopes) => [...new Set(scopes)]),
})
export type CreateTokenBody = z.infer<typeof CreateTokenBody>

/** The secret is in `token` and is shown this once; the server keeps only its hash. */
export const CreatedToken = ApiToken.extend({ token: z.string() })
export type CreatedToken = z.infer<typeof CreatedToken>
