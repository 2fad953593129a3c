/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

const THEME = '#1f3fbf'
const BACKGROUND = '#f6f7fb'

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      // Screenshots are for install dialogs only; the shell must not precache them.
      injectManifest: { globPatterns: ['**/*.{js,css,html,svg,webmanifest}', 'icons/*.png'] },
      manifest: {
        id: '/',
        name: 'tseeder',
        short_name: 'tseeder',
        description:
          'Send a magnet link or a .torrent; tseeder downloads it in the cloud and lets you stream or download the files.',
        lang: 'en',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        theme_color: THEME,
        background_color: BACKGROUND,
        categories: ['utilities', 'productivity'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: '/icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
        screenshots: [
          {
            src: '/screenshots/narrow.png',
            sizes: '390x844',
            type: 'image/png',
            form_factor: 'narrow',
            label: 'Your jobs with live progress',
          },
          {
            src: '/screenshots/wide.png',
            sizes: '1280x800',
            type: 'image/png',
            form_factor: 'wide',
            label: 'Your jobs with live progress',
          },
        ],
        share_target: {
          action: '/share',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'title',
            text: 'text',
            url: 'url',
            files: [{ name: 'torrent', accept: ['application/x-bittorrent', '.torrent'] }],
          },
        },
        protocol_handlers: [{ protocol: 'magnet', url: '/add?magnet=%s' }],
        shortcuts: [
          {
            name: 'Add a torrent',
            url: '/add',
            icons: [{ src: '/icons/icon-192.png', sizes: '192x192' }],
          },
        ],
      },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    // dist/.vite/manifest.json: the bench reads which chunks the first page loads from it.
    manifest: true,
    rollupOptions: {
      output: {
        // zod in one chunk that only the screens that check forms load (the first page loads
        // none: pwa/README.md "First load"). jitless.ts sets zod's settings without importing
        // zod and runs in the entry, before any lazy chunk can build a schema.
        manualChunks: (id) => (/[\\/]node_modules[\\/]zod[\\/]/.test(id) ? 'zod' : undefined),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8787', '/dl': 'http://127.0.0.1:8787' } },
  test: { environment: 'happy-dom' },
})
