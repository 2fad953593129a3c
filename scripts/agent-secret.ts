// npm run agent:secret -- <agent-id>
//
// Prints the AGENT_SECRET for a compute agent: HMAC-SHA256(AGENT_SIGNING_KEY, "tseeder-agent:" + id).
// Reads AGENT_SIGNING_KEY from the environment (the same value as the Worker's secret), so the
// Worker never stores per-agent secrets and a leaked one speaks only for its agent.
import { deriveAgentSecret } from '@tseeder/shared'

const [agentId] = process.argv.slice(2)
const signingKey = process.env.AGENT_SIGNING_KEY
if (!agentId || !/^[A-Za-z0-9._-]{1,64}$/.test(agentId)) {
  console.error(
    'usage: AGENT_SIGNING_KEY=… npm run agent:secret -- <agent-id>   (id: letters, digits, . _ -)',
  )
  process.exit(1)
}
if (!signingKey) {
  console.error(
    'agent:secret: set AGENT_SIGNING_KEY to the value given to `wrangler secret put AGENT_SIGNING_KEY`',
  )
  process.exit(1)
}
console.log(await deriveAgentSecret(signingKey, agentId))
