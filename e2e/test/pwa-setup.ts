// The web app's browser tests share this setup: one stack (one agent with one transfer slot, so a
// second job waits in line), one local swarm and one Chromium per test file, failures explained by
// the page and the logs, and the small moves every file makes (sign up, the main navigation).
import { resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { type BrowserSession, launchBrowser } from '@tseeder/testkit/browser'
import { type TestStack, startTestStack } from '@tseeder/testkit/test-stack'
import { startSwarm, type Swarm } from '@tseeder/testkit/swarm'

export const SCREENSHOTS = resolve(import.meta.dirname, '..', '..', 'screenshots', 'e2e')

export interface PwaApp {
  readonly stack: TestStack
  readonly swarm: Swarm
  readonly browser: BrowserSession
  readonly page: Page
  /** An absolute URL of the app for `path`. */
  url(path: string): string
}

/**
 * Starts the stack, the swarm and a phone-sized Chromium before the file's tests and stops them
 * after; each test fails on an uncaught exception in the page.
 *
 * @example
 * const app = usePwaApp()
 * it('…', async () => { await app.page.goto(app.url('/')) })
 */
export function usePwaApp(): PwaApp {
  let stack: TestStack
  let swarm: Swarm
  let browser: BrowserSession

  beforeAll(async () => {
    ;[stack, swarm, browser] = await Promise.all([
      // A torrent without metadata parks soon.
      startTestStack(1, { agentEnv: { AGENT_MAX_JOBS: '1', AGENT_PARK_AFTER_MS: '3000' } }),
      startSwarm(),
      launchBrowser({ viewport: 'phone' }),
    ])
    browser.page.setDefaultTimeout(15_000)
  })

  // A failed step is explained by what the app, the Worker and the agent were doing at the time.
  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      const page = browser.page
      console.error(
        `page: ${page.url()}\n${(await page.locator('body').innerText()).slice(0, 2000)}`,
      )
      for (const log of ['worker', 'local-agent-1'])
        console.error(`--- ${log}\n${stack.logTail(log)}`)
    })
  })

  // An uncaught exception in the app fails the step it happened in, even when the screen looked right.
  afterEach(() => {
    expect(browser.pageErrors.splice(0)).toEqual([])
  })

  afterAll(async () => {
    await browser?.close()
    await Promise.allSettled([stack?.close(), swarm?.close()])
  })

  return {
    get stack() {
      return stack
    },
    get swarm() {
      return swarm
    },
    get browser() {
      return browser
    },
    get page() {
      return browser.page
    },
    url: (path) => new URL(path, stack.url).href,
  }
}

/** The app's main navigation (Jobs, Add, Settings…). */
export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' })

/** Signs a new person up in the page and accepts the policy: the app opens on the job list. */
export async function signUpInApp(app: PwaApp, person: { email: string; password: string }) {
  const { page } = app
  await page.goto(app.url('/signup'))
  await page.getByRole('heading', { name: 'Create your account' }).waitFor()
  await page.getByLabel('Email').fill(person.email)
  await page.getByLabel('Password').fill(person.password)
  await page.getByRole('button', { name: 'Create your account' }).click()
  await page.getByRole('button', { name: 'I accept the policy' }).click()
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor()
}

/** The id of the job whose page is open. */
export const jobIdOf = (page: Page) =>
  decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!)
