/**
 * The admin sections in the order of their tabs: the path under `/admin/` and the name on the tab,
 * which is also the section's heading. Plain data, so the screenshot script can walk them too.
 */
export const ADMIN_TABS = [
  ['users', 'Users'],
  ['jobs', 'Jobs'],
  ['blocklist', 'Blocklist'],
  ['agents', 'Agents'],
  ['alerts', 'Alerts'],
  ['audit', 'Audit log'],
] as const
