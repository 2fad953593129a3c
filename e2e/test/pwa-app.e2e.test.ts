// The web app as a person meets it, in real Chromium against the local stack: a first-time visitor
// is greeted truthfully and their sign-up checked in the browser; the app installs (manifest,
// magnet protocol handler, share target); the plan's limits read as limits; a push for a finished
// job shows a notification; an admin's password reset leads straight to choosing a new password,
// and an admin's suspension signs the person out. The steps run in order on one
// account; each screen is also saved at phone and desktop sizes in screenshots/e2e/ (gitignored).
import { randomUUID } from 'node:crypto'
import { STATUS_LABELS } from '@tseeder/shared'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  browserClient,
  type BrowserSession,
  deliverPushMessage,
  waitForServiceWorkerControl,
  launchBrowser,
  saveScreens,
  shownNotifications,
} from '@tseeder/testkit/browser'
import { buildTorrent, content } from '@tseeder/testkit/fixtures'
import { signIn } from '@tseeder/testkit/session'
import type { Swarm } from '@tseeder/testkit/swarm'
import type { TestStack } from '@tseeder/testkit/test-stack'
import { SCREENSHOTS, usePwaApp } from './pwa-setup.ts'

const app = usePwaApp()
let page: Page
let browser: BrowserSession
let swarm: Swarm
let stack: TestStack
beforeAll(() => {
  ;({ page, browser, swarm, stack } = app)
})
const url = (path: string) => app.url(path)
const person = { email: `pwa-app-${Date.now()}@example.com`, password: 'a long pwa password' }

/**
 * What a phone's share sheet does with an installed app: a multipart POST navigation to the
 * manifest's share_target, which only the service worker answers.
 */
async function shareToApp(
  fields: Record<string, string>,
  file?: { name: string; mimeType: string; buffer: Buffer },
) {
  await page.evaluate((values) => {
    const form = document.createElement('form')
    form.method = 'post'
    form.enctype = 'multipart/form-data'
    form.action = '/share'
    for (const [name, value] of Object.entries(values)) {
      const input = document.createElement('input')
      input.type = 'hidden'
      input.name = name
      input.value = value
      form.append(input)
    }
    const picker = document.createElement('input')
    picker.type = 'file'
    picker.name = 'torrent'
    picker.id = 'e2e-share-file'
    form.append(picker)
    document.body.append(form)
  }, fields)
  if (file) await page.locator('#e2e-share-file').setInputFiles(file)
  await Promise.all([
    page.waitForURL((target) => target.pathname === '/add'),
    page.evaluate(() => document.querySelector<HTMLFormElement>('form[action="/share"]')!.submit()),
  ])
}

describe('the web app’s account and installed app in Chromium, against the local stack', () => {
  it('greets a first-time visitor truthfully, checks the sign-up form in the browser, then signs them up', async () => {
    await page.goto(url('/'))
    await page.waitForURL(/\/signin\?next=%2F$/)
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByText(/^First time here\?/).waitFor()
    await expect(page.getByText(/Welcome back/).count()).resolves.toBe(0)
    await saveScreens(page, SCREENSHOTS, 'signin')

    await page.getByRole('link', { name: 'Create a free account' }).click()
    await page.getByRole('heading', { name: 'Create your account' }).waitFor()
    const sent: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/auth/register') sent.push(request.method())
    })
    const email = page.getByLabel('Email')
    const password = page.getByLabel('Password')
    const submit = page.getByRole('button', { name: 'Create your account' })

    // Checked in the browser with the server's own rules, the first bad field focused.
    await submit.click()
    await expect.poll(() => email.evaluate((field) => field === document.activeElement)).toBe(true)
    await expect(email.getAttribute('aria-invalid')).resolves.toBe('true')
    await email.fill(person.email)
    await password.fill('short')
    await submit.click()
    await expect
      .poll(() => password.evaluate((field) => field === document.activeElement))
      .toBe(true)
    await page
      .getByText(/at least 10 characters/i)
      .first()
      .waitFor()
    await saveScreens(page, SCREENSHOTS, 'signup-checked')
    expect(sent).toEqual([])

    await password.fill(person.password)
    await submit.click()
    await page.getByRole('heading', { name: 'Acceptable use policy' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'aup')
    await page.getByRole('button', { name: 'I accept the policy' }).click()
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()
    await page.getByRole('heading', { name: 'No jobs yet' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/')
    expect(sent).toEqual(['POST'])
    await saveScreens(page, SCREENSHOTS, 'dashboard-empty')
  })

  it('is installable: Chromium finds a complete manifest and no installability errors', async () => {
    const cdp = await browser.context.newCDPSession(page)
    try {
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors')
      expect(installabilityErrors).toEqual([])
      const { url: manifestUrl, errors, data } = await cdp.send('Page.getAppManifest')
      expect(errors).toEqual([])
      expect(manifestUrl).toBe(url('/manifest.webmanifest'))
      const manifest = JSON.parse(data!) as Record<string, unknown>
      expect(manifest).toMatchObject({
        name: 'tseeder',
        display: 'standalone',
        start_url: '/',
        share_target: { action: '/share', method: 'POST', enctype: 'multipart/form-data' },
        protocol_handlers: [{ protocol: 'magnet', url: '/add?magnet=%s' }],
      })
      const icons = manifest.icons as { sizes: string; purpose?: string }[]
      expect(icons.map((icon) => icon.sizes)).toEqual(
        expect.arrayContaining(['192x192', '512x512']),
      )
      expect(icons.some((icon) => icon.purpose === 'maskable')).toBe(true)
    } finally {
      await cdp.detach()
    }
  })

  it('opens magnet links handed over by the protocol handler on a pre-filled add page', async () => {
    const magnet = `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=handed+over`
    await page.goto(url(`/add?magnet=${encodeURIComponent(magnet)}`))
    await page.getByRole('heading', { name: 'Add a torrent' }).waitFor()
    await expect(page.getByLabel('Magnet link').inputValue()).resolves.toBe(magnet)
  })

  it('takes a magnet link or a .torrent shared from another app and creates the job', async () => {
    const shared = buildTorrent({
      name: 'e2e-pwa-shared',
      announce: swarm.announce,
      files: [{ segments: ['notes.txt'], data: content(40_000) }],
    })
    await swarm.seeder().seed(shared)

    // A link shared as text ("<title> magnet:?…"), the way chat and browser apps share.
    await page.goto(url('/'))
    await waitForServiceWorkerControl(page)
    const link = `${shared.magnet}&dn=e2e-pwa-shared`
    await shareToApp({ title: 'A torrent', text: `Have a look: ${link}` })
    await page.getByText('Shared with tseeder — check it and add it.').waitFor()
    await expect(page.getByLabel('Magnet link').inputValue()).resolves.toBe(link)

    // A .torrent file shared from a file manager.
    await page.goto(url('/'))
    await shareToApp(
      { title: 'From a file manager' },
      {
        name: 'e2e-pwa-shared.torrent',
        mimeType: 'application/x-bittorrent',
        buffer: shared.torrent,
      },
    )
    await page.getByText('Shared with tseeder — check it and add it.').waitFor()
    await page.getByRole('button', { name: 'Remove e2e-pwa-shared.torrent' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'add-shared')
    await page.getByRole('button', { name: 'Add torrent' }).click()

    await page.waitForURL(/\/jobs\/[^/]+$/)
    await page.getByRole('heading', { name: 'e2e-pwa-shared', level: 1 }).waitFor()
    await page
      .getByRole('region', { name: 'Status' })
      .getByText(STATUS_LABELS.completed, { exact: true })
      .waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Download notes.txt' }).waitFor()
  })

  it('reads the plan’s limits as limits in Settings and shows a push for a finished job', async () => {
    await browser.context.grantPermissions(['notifications'], { origin: stack.url })
    await page.goto(url('/settings'))
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    await page.getByText(/up to 3 signed-in devices/).waitFor()
    await page.getByRole('heading', { name: 'Notifications' }).waitFor()
    await saveScreens(page, SCREENSHOTS, 'settings')

    // The payload notify.ts encrypts for a finished job, as the service worker decrypts it.
    const jobId = randomUUID()
    await deliverPushMessage(page, {
      type: 'job',
      jobId,
      name: 'e2e-pwa-movie',
      status: 'completed',
      title: 'e2e-pwa-movie finished',
      body: 'Your files are ready.',
      url: `/jobs/${jobId}`,
    })
    await expect
      .poll(() => shownNotifications(page), { timeout: 10_000 })
      .toContainEqual({
        title: 'e2e-pwa-movie finished',
        body: 'Your files are ready.',
        icon: url('/icons/icon-192.png'),
        tag: jobId,
        data: { url: `/jobs/${jobId}` },
      })
  })

  it('leads a sign-in with an admin’s one-time password straight to choosing a new one', async () => {
    const { user } = await (await browserClient(browser.context, stack.url)).me()
    const admin = await signIn(stack.url, stack.admin!.email, stack.admin!.password)
    const { password: oneTime } = await admin.api.adminResetPassword({ params: { id: user.id } })

    // Reset signs the person out everywhere: the app finds out at its next look.
    await page.goto(url('/'))
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password').fill(oneTime)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/choose-password')
    // The one-time password was just typed: only the new one is asked for.
    await expect(page.getByLabel('One-time password').count()).resolves.toBe(0)
    await saveScreens(page, SCREENSHOTS, 'choose-password')
    person.password = 'my own new pwa password'
    await page.getByLabel('New password', { exact: true }).fill(person.password)
    await page.getByRole('button', { name: 'Save and continue' }).click()
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()
    await expect((await browserClient(browser.context, stack.url)).me()).resolves.toMatchObject({
      user: { mustChangePassword: false },
    })
  })

  it('lets an admin suspend the person, which signs them out of the app', async () => {
    await page.goto(url('/settings'))
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
    const admin = await launchBrowser({ viewport: 'desktop' })
    try {
      const desk = admin.page
      desk.setDefaultTimeout(15_000)
      await desk.goto(url('/signin'))
      await desk.getByLabel('Email').fill(stack.admin!.email)
      await desk.getByLabel('Password').fill(stack.admin!.password)
      await desk.getByRole('button', { name: 'Sign in' }).click()
      // The first admin is created by the launcher and has not seen the policy yet.
      await desk.getByRole('button', { name: 'I accept the policy' }).click()
      await desk.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()

      await desk
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Admin' })
        .click()
      await desk.getByRole('heading', { name: 'Users', exact: true }).waitFor()
      await desk.getByLabel('Search by email').fill(person.email)
      await desk.getByRole('button', { name: 'Search', exact: true }).click()
      const row = desk.getByRole('row').filter({ hasText: person.email })
      await expect.poll(() => row.count()).toBe(1)
      await saveScreens(desk, SCREENSHOTS, 'admin-users')

      await row.getByRole('button', { name: `Suspend ${person.email}` }).click()
      const dialog = desk.getByRole('dialog', { name: `Suspend ${person.email}?` })
      await dialog.getByRole('button', { name: 'Suspend' }).click()
      await row.getByText('Suspended', { exact: true }).waitFor()
      expect(admin.pageErrors).toEqual([])
    } finally {
      await admin.close()
    }

    // The person's app was open on their settings: it notices on its own, no reload.
    await page.waitForURL(/\/signin/, { timeout: 20_000 })
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()

    await page.getByLabel('Email').fill(person.email)
    await page.getByLabel('Password').fill(person.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('This account is suspended. Contact the administrator.').waitFor()
  })
})
