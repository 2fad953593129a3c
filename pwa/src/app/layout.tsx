import { Suspense, useEffect, useRef } from 'react'
import { NavLink, Outlet, useLocation } from 'react-router'
import { useSession } from './session.tsx'
import { OfflineBanner } from '../ui/offline-banner.tsx'
import { Toaster } from '../ui/toast.tsx'
import { Icon, type IconName } from '../ui/icon.tsx'
import { LoadingState } from '../ui/states.tsx'

function NavItem({
  to,
  icon,
  label,
  end,
}: {
  to: string
  icon: IconName
  label: string
  end?: boolean
}) {
  return (
    <NavLink to={to} end={end} className="nav-link">
      <Icon name={icon} />
      <span>{label}</span>
    </NavLink>
  )
}

/** The signed-in shell: header with navigation (a tab bar on phones), banners, then the screen. */
export function Layout() {
  const { state, signOut } = useSession()
  const isAdmin = state.status === 'signed-in' && state.me.user.role === 'admin'
  const email = state.status === 'signed-in' ? state.me.user.email : null
  const main = useRef<HTMLElement>(null)
  const location = useLocation()
  const firstRender = useRef(true)

  // A route change is a new page for screen-reader and keyboard users: start them at its top.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false
      return
    }
    main.current?.focus({ preventScroll: true })
    window.scrollTo(0, 0)
  }, [location.pathname])

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/" className="brand" aria-label="tseeder home">
            <img src="/icons/favicon.svg" alt="" width="28" height="28" />
            <span>tseeder</span>
          </NavLink>
          <nav aria-label="Main" className="nav">
            <NavItem to="/" end icon="list" label="Jobs" />
            <NavItem to="/add" icon="plus" label="Add" />
            <NavItem to="/settings" icon="gear" label="Settings" />
            {isAdmin && <NavItem to="/admin" icon="shield" label="Admin" />}
          </nav>
          <div className="topbar-account">
            {email && (
              <span className="topbar-email" title={email}>
                {email}
              </span>
            )}
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => void signOut()}
            >
              <Icon name="logout" />
              <span>Sign out</span>
            </button>
          </div>
        </div>
      </header>
      <OfflineBanner />
      <main id="main" ref={main} tabIndex={-1} className="main">
        <Suspense fallback={<LoadingState label="Loading" />}>
          <Outlet />
        </Suspense>
      </main>
      <Toaster />
    </div>
  )
}
