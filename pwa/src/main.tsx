// First: no schema may be built before zod knows it must not use eval (the CSP forbids it).
import '@tseeder/shared/jitless'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import '@tseeder/shared/ui.css'
import './styles.css'
// Signing out drops this device's push subscription.
import './app/push-on-sign-out.ts'
import { AppRoutes } from './app/routes.tsx'
import { SessionProvider } from './app/session.tsx'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <AppRoutes />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
)
