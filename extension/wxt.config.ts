import { resolve } from 'node:path'
import { defineConfig } from 'wxt'

/**
 * The server's origin is only known at connect time, and .torrent links live on any site, so the
 * extension asks for these at runtime (optional), one origin or all sites at a time.
 */
const OPTIONAL_ORIGINS = ['http://*/*', 'https://*/*']

/**
 * Headless Chromium cannot answer a permission prompt, so the browser e2e test builds a copy with
 * these origins granted up front (`permissions.request` then resolves without a prompt). Store
 * builds never set it.
 */
const e2eOrigins = (process.env.TSEEDER_E2E_HOST_PERMISSIONS ?? '').split(',').filter(Boolean)

export default defineConfig({
  modules: ['@wxt-dev/module-react', '@wxt-dev/webextension-polyfill'],
  imports: false,
  outDir: e2eOrigins.length ? '.output/e2e' : '.output',
  manifest: ({ manifestVersion }) => ({
    name: 'tseeder',
    description:
      'Send magnet links and .torrent files to your tseeder server, and follow your downloads.',
    permissions: [
      'storage',
      'alarms',
      'notifications',
      'contextMenus',
      'downloads',
      ...(manifestVersion === 2 ? e2eOrigins : []),
    ],
    ...(manifestVersion === 3
      ? {
          optional_host_permissions: OPTIONAL_ORIGINS,
          ...(e2eOrigins.length ? { host_permissions: e2eOrigins } : {}),
        }
      : { optional_permissions: OPTIONAL_ORIGINS }),
    action: { default_title: 'tseeder' },
    browser_specific_settings: {
      gecko: {
        id: 'tseeder@tseeder.app',
        strict_min_version: '140.0',
        // Only what the user chooses to send (a link or a .torrent from a page) leaves the
        // browser, and only to the server they configured.
        data_collection_permissions: { required: ['websiteContent'] },
      },
    },
  }),
  zip: {
    // The extension imports the `shared/` workspace, so the Firefox sources zip is taken from the
    // repository root, with only what the build reads (`npm ci && npm run build -w extension`).
    sourcesRoot: resolve(import.meta.dirname, '..'),
    excludeSources: ['**/*'],
    includeSources: [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'types/**',
      // npm ci wants every workspace's manifest to accept the lockfile.
      'api/package.json',
      'agent/package.json',
      'pwa/package.json',
      'e2e/package.json',
      'testkit/package.json',
      'shared/package.json',
      'shared/tsconfig.json',
      'shared/src/**',
      'extension/package.json',
      'extension/tsconfig.json',
      'extension/wxt.config.ts',
      'extension/entrypoints/**',
      'extension/src/**',
      'extension/public/**',
    ],
  },
})
