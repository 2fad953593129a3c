import { useEffect } from 'react'
import { Navigate, NavLink, Route, Routes } from 'react-router'
import { useSession } from '../../app/session.tsx'
import { AccountSection } from './account-section.tsx'
import { IntegrationsSection } from './integrations-section.tsx'
import { SessionsSection } from './sessions-section.tsx'
import { TokensSection } from './tokens-section.tsx'
import './sections.css'
import './settings.css'

/**
 * `/settings/*`: account (plan, usage, notifications, sign out), device sessions, API
 * tokens, and integrations (link lists' lifetime, webhooks). `/settings/tokens` is linked from the browser extension, so it is a route of its own.
 */
export default function Settings() {
  const { refresh } = useSession()
  // Usage moves while the app is open (downloads, streaming); the session copy may be old.
  useEffect(() => {
    void refresh()
  }, [refresh])

  return (
    <div className="settings">
      <h1>Settings</h1>
      <nav className="tabs" aria-label="Settings sections">
        <NavLink to="/settings" end>
          Account
        </NavLink>
        <NavLink to="/settings/devices">Devices</NavLink>
        <NavLink to="/settings/tokens">API tokens</NavLink>
        <NavLink to="/settings/integrations">Integrations</NavLink>
      </nav>
      <Routes>
        <Route index element={<AccountSection />} />
        <Route path="devices" element={<SessionsSection />} />
        <Route path="tokens" element={<TokensSection />} />
        <Route path="integrations" element={<IntegrationsSection />} />
        <Route path="*" element={<Navigate to="/settings" replace />} />
      </Routes>
    </div>
  )
}
