import { createMiddleware } from 'hono/factory'
import { deriveAgentSecret, SIGNATURE_HEADERS, verifySignature } from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { HttpError } from '../lib/errors.ts'

/**
 * Accepts only requests signed by an agent: `x-tseeder-agent` names it, and the body must carry
 * a valid HMAC-SHA256 under that agent's derived secret with a timestamp within 5 minutes. The
 * verified agent id, timestamp and raw body are left in `c.var` for the handler.
 */
export const verifyAgentSignature = createMiddleware<AppEnv>(
  async function verifyAgentSignature(c, next) {
    const agentId = c.req.header(SIGNATURE_HEADERS.agentId)
    if (!agentId || !/^[A-Za-z0-9._-]{1,64}$/.test(agentId)) {
      throw new HttpError(
        401,
        'not_signed_in',
        'Agent requests must name the agent in x-tseeder-agent.',
      )
    }
    const body = await c.req.text()
    const timestamp = c.req.header(SIGNATURE_HEADERS.timestamp) ?? null
    const check = await verifySignature(
      await deriveAgentSecret(c.env.AGENT_SIGNING_KEY, agentId),
      { timestamp, signature: c.req.header(SIGNATURE_HEADERS.signature) ?? null },
      body,
    )
    if (!check.ok) throw new HttpError(401, 'invalid_signature', check.message)
    c.set('agent', { id: agentId, signedAt: Number(timestamp), body })
    return next()
  },
)
