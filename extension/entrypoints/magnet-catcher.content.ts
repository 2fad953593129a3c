import { defineContentScript } from 'wxt/utils/define-content-script'
import { catchMagnetClicks } from '../src/magnet-catcher.ts'

export default defineContentScript({
  matches: ['<all_urls>'],
  runAt: 'document_start',
  main: () => catchMagnetClicks(),
})
