import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { z } from 'zod'
import '@tseeder/shared/ui.css'
import './styles.css'
// Registers its sign-out hook, so signing out drops this device's push subscription.
import './app/push.ts'
import { AppRoutes } from './app/routes.tsx'
import { SessionProvider } from './app/session.tsx'

// The page's CSP has no 'unsafe-eval': zod must not probe for or use compiled parsers.
z.config({ jitless: true })

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
)
