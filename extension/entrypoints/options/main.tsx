// First: no schema may be built before zod knows it must not use eval (the CSP forbids it).
import '@tseeder/shared/jitless'
import '@tseeder/shared/ui.css'
import '../../src/ui/extension.css'
import { createRoot } from 'react-dom/client'
import { Options } from '../../src/options/options.tsx'
import { connectionItem, preferencesItem } from '../../src/storage.ts'

const [connection, preferences] = await Promise.all([
  connectionItem.getValue(),
  preferencesItem.getValue(),
])
createRoot(document.getElementById('root')!).render(
  <Options initialConnection={connection} initialPreferences={preferences} />,
)
