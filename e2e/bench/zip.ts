// `npm run bench:zip -w @tseeder/e2e`: on the real local stack, a multi-file job is downloaded by
// the agent, then fetched three ways in the same run: each file through its plain `/dl/` link,
// streamed through the Worker as production does (`DOWNLOAD_MODE=stream`), the same files as one
// ZIP (`/dl/zip/`, always streamed), and the ZIP resumed from its middle with Range. Both read
// storage through the Worker's outbound fetch, which is slow under wrangler dev (STACK.md: ~10-15
// MB/s locally, not in production), so the ratio is the figure: what the ZIP costs over a plain
// streamed file. Prints MB/s, the ratio and the load average (compare ratios from one run).
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { buildTorrent, content } from '@tseeder/testkit/fixtures'
import { signUp, type Session } from '@tseeder/testkit/session'
import { startSwarm } from '@tseeder/testkit/swarm'
import { startTestStack } from '@tseeder/testkit/test-stack'

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '256', description: 'total MiB of the job' },
    files: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
  },
})
const totalBytes = Number(values.mib) * 1024 * 1024
const fileCount = Number(values.files)
const rounds = Number(values.rounds)

/** Reads a response to its end without keeping it; returns the bytes read. */
async function drain(response: Response): Promise<number> {
  if (!response.ok) throw new Error(`download answered ${response.status}`)
  let bytes = 0
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length
  }
  return bytes
}

async function timed(run: () => Promise<number>): Promise<{ bytes: number; seconds: number }> {
  const started = performance.now()
  const bytes = await run()
  return { bytes, seconds: (performance.now() - started) / 1000 }
}

const mbps = (r: { bytes: number; seconds: number }) => r.bytes / 1e6 / r.seconds
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')

async function waitForCompleted(user: Session, id: string): Promise<void> {
  for (const deadline = Date.now() + 300_000; Date.now() < deadline;) {
    const job = await user.api.getJob({ params: { id } })
    if (job.status === 'completed') return
    if (job.status === 'failed') throw new Error(`the job failed: ${JSON.stringify(job.error)}`)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('the job did not complete in 5 minutes')
}

const [stack, swarm] = await Promise.all([
  startTestStack(1, { extraVars: { DOWNLOAD_MODE: 'stream' } }),
  startSwarm(),
])
try {
  const size = Math.floor(totalBytes / fileCount)
  const fixture = buildTorrent({
    name: 'bench-zip',
    announce: swarm.announce,
    files: Array.from({ length: fileCount }, (_, i) => ({
      segments: ['set', `part-${i}.bin`],
      data: content(size),
    })),
  })
  await swarm.seeder().seed(fixture)
  const user = await signUp(stack.url)
  const job = await user.api.createJob({ body: { magnet: fixture.magnet } })
  await waitForCompleted(user, job.id)
  const { files } = await user.api.listJobFiles({ params: { id: job.id } })

  const plain: number[] = []
  const zipped: number[] = []
  const resumed: number[] = []
  const failures: string[] = []
  /** One measurement; a cut connection is reported and the round goes on. */
  const measure = async (into: number[], what: string, run: () => Promise<number>) => {
    try {
      into.push(mbps(await timed(run)))
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? ''
      failures.push(`${what}: ${(error as Error).message} ${cause}`.trim())
    }
  }
  for (let round = 0; round < rounds; round++) {
    await measure(plain, 'plain', async () => {
      let bytes = 0
      for (const file of files) {
        const { url } = await user.api.createFileLink({ params: { id: file.id } })
        bytes += await drain(await fetch(new URL(url, stack.url)))
      }
      return bytes
    })
    const link = await user.api.createZipLink({ params: { id: job.id } })
    await measure(zipped, 'zip', async () => drain(await fetch(link.url)))
    const half = Math.floor(link.size / 2)
    await measure(resumed, 'zip resumed', async () =>
      drain(await fetch(link.url, { headers: { range: `bytes=${half}-` } })),
    )
  }
  const plainMBps = median(plain)
  const zipMBps = median(zipped)
  console.log(
    `zip bench: ${fileCount} files, ${(totalBytes / 1024 / 1024).toFixed(0)} MiB, median of ${rounds} rounds`,
  )
  console.log(
    `  plain /dl/ links (each file, streamed by the Worker): ${plainMBps.toFixed(1)} MB/s`,
  )
  console.log(`  /dl/zip/ whole archive streamed through the Worker:    ${zipMBps.toFixed(1)} MB/s`)
  console.log(
    `  /dl/zip/ resumed at the middle (Range):                ${median(resumed).toFixed(1)} MB/s`,
  )
  console.log(`  zip / plain: ${(zipMBps / plainMBps).toFixed(2)}x   load average: ${load()}`)
  if (failures.length > 0) console.log(`  cut connections (not counted): ${failures.join('; ')}`)
} finally {
  await Promise.allSettled([stack.close(), swarm.close()])
}
