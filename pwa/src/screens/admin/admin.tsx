import { Navigate, NavLink, Route, Routes } from 'react-router'
import { AgentsTab } from './agents-tab.tsx'
import { AlertsTab } from './alerts-tab.tsx'
import { AuditTab } from './audit-tab.tsx'
import { BlocklistTab } from './blocklist-tab.tsx'
import { JobsTab } from './jobs-tab.tsx'
import { ADMIN_TABS } from './tabs.ts'
import { UsersTab } from './users-tab.tsx'
import './admin.css'

/** `/admin/*` (admins only): users, jobs, blocklist, agent health, alerts and the audit log. */
export default function Admin() {
  return (
    <div className="admin">
      <h1>Admin</h1>
      <nav className="tabs tabs-scroll" aria-label="Admin sections">
        {ADMIN_TABS.map(([path, label]) => (
          <NavLink key={path} to={`/admin/${path}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="/admin/users" replace />} />
        <Route path="users" element={<UsersTab />} />
        <Route path="jobs" element={<JobsTab />} />
        <Route path="blocklist" element={<BlocklistTab />} />
        <Route path="agents" element={<AgentsTab />} />
        <Route path="alerts" element={<AlertsTab />} />
        <Route path="audit" element={<AuditTab />} />
        <Route path="*" element={<Navigate to="/admin/users" replace />} />
      </Routes>
    </div>
  )
}
