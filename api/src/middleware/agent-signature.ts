import { createMiddleware } from 'hono/factory'
import {
  deriveAgentSecret,
  nonceExpiry,
  readSignatureHeaders,
  SIGNATURE_HEADERS,
  verifySignature,
} from '@tseeder/shared'
import type { AppEnv } from '../env.ts'
import { HttpError } from '../lib/errors.ts'

/**
 * Accepts only requests signed by an agent: `x-tseeder-agent` names it, and the request must carry
 * a valid HMAC-SHA256 under that agent's agent→api key over the direction, method, path,
 * timestamp (within 5 minutes), nonce and raw body, with a nonce that agent has not used before
 * (kept by its `AgentNoncesDO`). So a captured request is refused on any other route and refused
 * again on its own. The verified agent id, timestamp and raw body are left in `c.var`.
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
    const check = await verifySignature(
      await deriveAgentSecret(c.env.AGENT_SIGNING_KEY, agentId),
      { direction: 'agent-to-api', method: c.req.method, path: new URL(c.req.url).pathname, body },
      readSignatureHeaders((name) => c.req.header(name)),
    )
    if (!check.ok) throw new HttpError(401, 'invalid_signature', check.message)
    // Only authentic requests reach the agent's nonce record, so forgeries cost it nothing.
    const nonces = c.env.AGENT_NONCES.get(c.env.AGENT_NONCES.idFromName(agentId))
    if (!(await nonces.claim(check.nonce, nonceExpiry(check.timestamp)))) {
      throw new HttpError(409, 'replayed', 'This signed request was already received.')
    }
    c.set('agent', { id: agentId, signedAt: check.timestamp, body })
    return next()
  },
)
