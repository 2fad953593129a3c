/**
 * Local benchmark: a tracker, a webtorrent seeder and s3rver on 127.0.0.1; the agent runs as its
 * own process (so its CPU time and peak RSS can be read from /proc) and aria2c downloads the same
 * torrents by magnet for comparison. `npm run bench -w agent`.
 */
import { spawn } from 'node:child_process'
import { createHash, randomFillSync } from 'node:crypto'
import { mkdir, open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AgentCallback } from '@tseeder/shared'
import { agentEnv, callAgent, grantFor, startFakeApi } from '@tseeder/testkit/fake-api'
import { bencode } from '@tseeder/testkit/fixtures'
import { objectReader } from '@tseeder/testkit/s3'
import { startSwarm } from '@tseeder/testkit/swarm'
import { tempDir, waitFor } from '@tseeder/testkit/wait'
import { AGENT_NODE_ARGS } from '../node-args.ts'
import { indexedFilePath } from '../src/engine/job-chunk-store.ts'

const MiB = 1024 * 1024
const PIECE = MiB
const agentRoot = fileURLToPath(new URL('..', import.meta.url))

interface Seeded {
  infohash: string
  magnet: string
  size: number
  sha256: string
}

/** Writes `size` random bytes to `<dir>/files/0` and returns a single-file torrent for it. */
async function makeContent(dir: string, size: number, announce: string, name: string) {
  await mkdir(join(dir, 'files'), { recursive: true })
  const file = await open(indexedFilePath(dir, 0), 'w')
  const pieces: Buffer[] = []
  const whole = createHash('sha256')
  const chunk = Buffer.alloc(PIECE)
  for (let written = 0; written < size; written += PIECE) {
    const part = chunk.subarray(0, Math.min(PIECE, size - written))
    randomFillSync(part)
    pieces.push(createHash('sha1').update(part).digest())
    whole.update(part)
    await file.write(part)
  }
  await file.close()
  const info = bencode({ name, length: size, 'piece length': PIECE, pieces: Buffer.concat(pieces) })
  const infohash = createHash('sha1').update(info).digest('hex')
  const torrent = Buffer.concat([
    Buffer.from('d'),
    bencode('announce'),
    bencode(announce),
    bencode('info'),
    info,
    Buffer.from('e'),
  ])
  return {
    torrent,
    infohash,
    size,
    sha256: whole.digest('hex'),
    magnet: `magnet:?xt=urn:btih:${infohash}&tr=${encodeURIComponent(announce)}`,
  }
}

function procStats(pid: number) {
  return readFile(`/proc/${pid}/status`, 'utf8').then(async (status) => {
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
    const ticks = Number(stat[11]) + Number(stat[12])
    return { peakRss: hwm, cpuSeconds: ticks / 100 }
  })
}

async function spawnAgent(apiUrl: string, dataDir: string, extra: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_AGENT_NODE_ARGS?.split(' ').filter(Boolean) ?? AGENT_NODE_ARGS),
      // What production runs: the bundle (`npm run bench` builds it first).
      'dist/main.mjs',
    ],
    {
      cwd: agentRoot,
      env: {
        ...process.env,
        ...agentEnv(apiUrl, dataDir, {
          AGENT_LOG_LEVEL: 'info',
          AGENT_PROGRESS_INTERVAL_MS: '100',
          ...extra,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  process.once('exit', () => child.kill('SIGKILL'))
  let output = ''
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString()
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)".*"msg":"agent listening"/.exec(output)
      if (m) {
        output = ''
        resolve(m[1]!)
      }
    })
    child.once('exit', () => reject(new Error('agent exited')))
  })
  child.stdout!.resume()
  return { child, url }
}

async function aria2c(magnet: string, dir: string): Promise<number> {
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'aria2c',
      [
        '--enable-dht=false',
        '--bt-enable-lpd=false',
        '--enable-peer-exchange=false',
        '--seed-time=0',
        '--quiet=true',
        `--dir=${dir}`,
        magnet,
      ],
      { stdio: 'inherit' },
    )
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`aria2c exited ${code}`)),
    )
  })
  return (performance.now() - started) / 1000
}

/** s3rver in a child process (bench/s3-server.ts), read back with the S3 client. */
async function startS3Process() {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_S3_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      'bench/s3-server.ts',
    ],
    {
      cwd: agentRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (http:\S+)/.exec(chunk.toString())
      if (match) resolve(match[1]!)
    })
    child.once('exit', () => reject(new Error('the S3 server exited')))
  })
  // A failed run must not leave the server behind.
  process.once('exit', () => child.kill('SIGKILL'))
  const reader = objectReader(endpoint)
  return {
    endpoint,
    pid: child.pid!,
    objectSha256: reader.objectSha256,
    async close() {
      reader.destroy()
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    },
  }
}

const fmt = (n: number, d = 2) => n.toFixed(d)

async function main() {
  const root = await tempDir('bench')
  const swarm = await startSwarm()
  const s3 = await startS3Process()
  const api = await startFakeApi(() => grantFor(s3.endpoint, '0'.repeat(40)))
  const arrivals = new Map<string, { at: number; callback: AgentCallback }[]>()
  const record = api.callbacks.push.bind(api.callbacks)
  api.callbacks.push = (...items: AgentCallback[]) => {
    for (const c of items) {
      const list = arrivals.get(c.jobId) ?? []
      list.push({ at: performance.now(), callback: c })
      arrivals.set(c.jobId, list)
    }
    return record(...items)
  }

  let n = 0
  async function seed(size: number): Promise<Seeded> {
    const dir = join(root, `seed-${n++}`)
    const content = await makeContent(dir, size, swarm.announce, `bench-${n}.bin`)
    await swarm.seedStored(content.torrent, dir)
    return content
  }

  type AgentRun = Awaited<ReturnType<typeof agentRun>>
  async function agentRun(content: Seeded, label: string, stream: boolean) {
    const dataDir = join(root, `agent-${label}`)
    const { child, url } = await spawnAgent(api.url, dataDir, {
      AGENT_STREAM_UPLOAD: String(stream),
    })
    const jobId = `bench-${label}`
    const s3Before = await procStats(s3.pid)
    const seederBefore = process.cpuUsage()
    const started = performance.now()
    await callAgent(url, 'POST', '/start', {
      jobId,
      attempt: 1,
      infohash: content.infohash,
      magnet: content.magnet,
      limits: { maxFileBytes: null, remainingStorageBytes: null },
      storage: { ...grantFor(s3.endpoint, content.infohash), prefix: `content/${label}/` },
    })
    await waitFor(
      () =>
        arrivals
          .get(jobId)
          ?.find((a) => a.callback.type === 'completed' || a.callback.type === 'failed'),
      600_000,
      `${label} to complete`,
    )
    const stats = await procStats(child.pid!)
    const s3Cpu = (await procStats(s3.pid)).cpuSeconds - s3Before.cpuSeconds
    const seederUsage = process.cpuUsage(seederBefore)
    const seederCpu = (seederUsage.user + seederUsage.system) / 1e6
    const events = arrivals.get(jobId)!
    const done = events.find((a) => a.callback.type === 'completed')
    if (!done) throw new Error(`${label} failed: ${JSON.stringify(events.at(-1)?.callback)}`)
    const firstUpload = events.find(
      (a) => a.callback.type === 'progress_update' && (a.callback.bytesUploaded ?? 0) > 0,
    )
    const sha = await s3.objectSha256(`content/${label}/0`)
    if (sha !== content.sha256) throw new Error(`${label}: stored bytes differ`)
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(dataDir, { recursive: true, force: true })
    const e2e = (done.at - started) / 1000
    // With upload-after-download the first stored part marks the end of the download; while
    // streaming, the first progress report with every byte downloaded does.
    const downloaded = stream
      ? events.find(
          (a) =>
            a.callback.type === 'progress_update' &&
            a.callback.bytesDownloaded >= a.callback.bytesTotal &&
            a.callback.bytesTotal > 0,
        )
      : firstUpload
    const dl = ((downloaded ?? done).at - started) / 1000
    const up = (done.at - (firstUpload ?? done).at) / 1000
    return { e2e, dl, up, ...stats, s3Cpu, seederCpu }
  }

  const results: string[] = []
  const line = (text: string) => {
    results.push(text)
    console.log(text)
  }
  // BENCH_SIZES=256,1024 (MiB, the default) picks the single-file runs; BENCH_SIZES= skips them.
  const sizes = (process.env.BENCH_SIZES ?? '256,1024')
    .split(',')
    .filter(Boolean)
    .map((mib) => Number(mib) * MiB)
  // Two cores shared by the seeder, the agent and the S3 server make single runs noisy (aria2c
  // alone varies by a third from run to run here): each size runs BENCH_ROUNDS times (3 by
  // default), and the medians are reported, with every round's figures.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
  const median = <T>(runs: T[], key: (run: T) => number): T =>
    [...runs].sort((x, y) => key(x) - key(y))[Math.floor((runs.length - 1) / 2)]!
  for (const size of sizes) {
    const label = `${size / MiB}MiB`
    const content = await seed(size)
    const arias: { seconds: number; seederCpu: number }[] = []
    const streamed: AgentRun[] = []
    const after: AgentRun[] = []
    for (let round = 1; round <= rounds; round++) {
      const ariaDir = join(root, `aria-${label}-${round}`)
      const seederBefore = process.cpuUsage()
      const seconds = await aria2c(content.magnet, ariaDir)
      const seeder = process.cpuUsage(seederBefore)
      arias.push({ seconds, seederCpu: (seeder.user + seeder.system) / 1e6 })
      await rm(ariaDir, { recursive: true, force: true })
      streamed.push(await agentRun(content, `${label}-stream-${round}`, true))
      after.push(await agentRun(content, `${label}-after-${round}`, false))
    }
    const aria = median(arias, (r) => r.seconds)
    const modes = [
      ['stream_upload', median(streamed, (r) => r.e2e), streamed],
      ['upload_after_download', median(after, (r) => r.e2e), after],
    ] as const
    line(`## ${label} single file (median of ${rounds})`)
    line(
      `aria2c_download_only_s: ${fmt(aria.seconds)}  (${fmt(size / MiB / aria.seconds, 1)} MiB/s)` +
        `  (seeder_cpu_s ${fmt(aria.seederCpu)})  rounds: ${arias.map((r) => fmt(r.seconds)).join(' ')}`,
    )
    for (const [mode, r, runs] of modes) {
      line(
        `agent_${mode}: e2e_s ${fmt(r.e2e)}  download_s ${fmt(r.dl)} (${fmt(size / MiB / r.dl, 1)} MiB/s)` +
          `  upload ${fmt(size / MiB / Math.max(r.up, 0.001), 1)} MiB/s over ${fmt(r.up)} s` +
          `  cpu_s ${fmt(r.cpuSeconds)}  peak_rss_mb ${fmt(r.peakRss / 1e6, 0)}` +
          `  (s3_cpu_s ${fmt(r.s3Cpu)}  seeder_cpu_s ${fmt(r.seederCpu)})` +
          `  rounds: ${runs.map((run) => fmt(run.e2e)).join(' ')}`,
      )
    }
    const [bestMode, best, bestRuns] = modes[0][1].e2e <= modes[1][1].e2e ? modes[0] : modes[1]
    line(
      `agent_e2e_over_aria2c: ${fmt(best.e2e / aria.seconds)}  (best mode: ${bestMode}; by round: ` +
        `${bestRuns.map((run, i) => fmt(run.e2e / arias[i]!.seconds)).join(' ')})`,
    )
  }

  const concurrent = await Promise.all([0, 1, 2, 3, 4].map(() => seed(128 * MiB)))
  const dataDir = join(root, 'agent-concurrent')
  const { child, url } = await spawnAgent(api.url, dataDir, { AGENT_MAX_JOBS: '5' })
  const started = performance.now()
  await Promise.all(
    concurrent.map((content, i) =>
      callAgent(url, 'POST', '/start', {
        jobId: `bench-concurrent-${i}`,
        attempt: 1,
        infohash: content.infohash,
        magnet: content.magnet,
        limits: { maxFileBytes: null, remainingStorageBytes: null },
        storage: { ...grantFor(s3.endpoint, content.infohash), prefix: `content/concurrent-${i}/` },
      }),
    ),
  )
  await waitFor(
    () =>
      concurrent.every((_, i) =>
        arrivals.get(`bench-concurrent-${i}`)?.some((a) => a.callback.type === 'completed'),
      ),
    600_000,
    'five concurrent jobs',
  )
  const stats = await procStats(child.pid!)
  line(`## 5 concurrent jobs x 128 MiB`)
  line(
    `five_jobs: e2e_s ${fmt((performance.now() - started) / 1000)}  cpu_s ${fmt(stats.cpuSeconds)}  peak_rss_mb ${fmt(stats.peakRss / 1e6, 0)}`,
  )
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('exit', resolve))

  await swarm.close()
  await s3.close()
  await api.close()
  await rm(root, { recursive: true, force: true })
  console.log('\n' + results.join('\n'))
}

await main()
