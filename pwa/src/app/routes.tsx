import { lazy, Suspense } from 'react'
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router'
import { Layout } from './layout.tsx'
import { useLiveJobsConnection } from './live.ts'
import { useSession } from './session.tsx'
import { LoadingState, ErrorState } from '../ui/states.tsx'
import { UpdatePrompt } from '../ui/update-prompt.tsx'

// The screens a visit starts on (sign-in, the job list) ship with the shell: a lazy chunk there
// would cost a second round trip before the first useful paint. The rest load on demand.
import SignIn from '../screens/auth/sign-in.tsx'
import SignUp from '../screens/auth/sign-up.tsx'
import Dashboard from '../screens/dashboard/dashboard.tsx'

const Aup = lazy(() => import('../screens/auth/aup.tsx'))
const ChoosePassword = lazy(() => import('../screens/auth/choose-password.tsx'))
const AddJob = lazy(() => import('../screens/add-job/add-job.tsx'))
const JobDetail = lazy(() => import('../screens/job-page/job-detail.tsx'))
const Settings = lazy(() => import('../screens/settings/settings.tsx'))
const Admin = lazy(() => import('../screens/admin/admin.tsx'))

/**
 * The signed-in shell for users who accepted the AUP (others go to sign-in, "Choose a new
 * password" after an operator's reset, or the AUP first).
 * It owns the one live event stream, so it stays mounted while moving between screens.
 */
function RequireAuth() {
  const { state, refresh } = useSession()
  const location = useLocation()
  const ready =
    state.status === 'signed-in' &&
    state.me.user.aupAcceptedAt !== null &&
    !state.me.user.mustChangePassword
  useLiveJobsConnection(ready)
  if (state.status === 'loading') return <LoadingState label="Loading your account" />
  if (state.status === 'error') {
    return (
      <div className="auth-page">
        <ErrorState error={state.error} retry={() => void refresh()} />
      </div>
    )
  }
  const next = encodeURIComponent(location.pathname + location.search)
  if (state.status === 'signed-out') return <Navigate to={`/signin?next=${next}`} replace />
  if (state.me.user.mustChangePassword)
    return <Navigate to={`/choose-password?next=${next}`} replace />
  if (!state.me.user.aupAcceptedAt) return <Navigate to={`/aup?next=${next}`} replace />
  return <Layout />
}

function RequireAdmin() {
  const { state } = useSession()
  if (state.status !== 'signed-in' || state.me.user.role !== 'admin') {
    return <Navigate to="/" replace />
  }
  return <Outlet />
}

export function AppRoutes() {
  return (
    <>
      <UpdatePrompt />
      <Suspense fallback={<LoadingState label="Loading" />}>
        <Routes>
          <Route path="/signin" element={<SignIn />} />
          <Route path="/signup" element={<SignUp />} />
          <Route path="/aup" element={<Aup />} />
          <Route path="/choose-password" element={<ChoosePassword />} />
          <Route element={<RequireAuth />}>
            <Route index element={<Dashboard />} />
            <Route path="/add" element={<AddJob />} />
            <Route path="/jobs/:id" element={<JobDetail />} />
            <Route path="/settings/*" element={<Settings />} />
            <Route element={<RequireAdmin />}>
              <Route path="/admin/*" element={<Admin />} />
            </Route>
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </Suspense>
    </>
  )
}
