// First: no schema may be built before zod knows it must not use eval (the CSP forbids it).
import '@tseeder/shared/jitless'
import '@tseeder/shared/ui.css'
import '../../src/ui/extension.css'
import { createRoot } from 'react-dom/client'
import { Popup } from '../../src/popup/popup.tsx'
import { connectionItem, jobCacheItem } from '../../src/storage.ts'

// Both reads come from local storage (a few ms): the first paint already shows the cached jobs.
const [connection, cache] = await Promise.all([connectionItem.getValue(), jobCacheItem.getValue()])
createRoot(document.getElementById('root')!).render(
  <Popup initialConnection={connection} cache={cache} />,
)
