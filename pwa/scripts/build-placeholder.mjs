// Until the React PWA lands, the Worker's static assets are this one page that says so.
import { cpSync, mkdirSync } from 'node:fs'

mkdirSync(new URL('../dist', import.meta.url), { recursive: true })
cpSync(new URL('../public', import.meta.url), new URL('../dist', import.meta.url), {
  recursive: true,
})
