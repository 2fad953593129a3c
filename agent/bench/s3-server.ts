// The bench's storage, in a process of its own (as R2 is a service of its own): s3rver sharing
// the bench's event loop with the seeder would throttle both and blame the agent for it.
import { startS3 } from '@tseeder/testkit/s3'

// BENCH_S3_PARENT: where it keeps its objects (run.ts: tmpfs, or the temporary folder on disk).
const s3 = await startS3({ parent: process.env.BENCH_S3_PARENT || undefined })
console.log(`listening ${s3.endpoint}`)
process.once('SIGTERM', () => {
  void s3.close().then(() => process.exit(0))
})
