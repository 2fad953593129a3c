import { LinkLifetimeSection } from './link-lifetime-section.tsx'
import { WebhooksSection } from './webhooks-section.tsx'

/** `/settings/integrations`: download managers' link lists and completion webhooks. */
export function IntegrationsSection() {
  return (
    <>
      <LinkLifetimeSection />
      <WebhooksSection />
    </>
  )
}
