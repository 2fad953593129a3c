// The bench's storage, in a process of its own (as R2 is a service of its own): s3rver sharing
// the bench's event loop with the seeder would throttle both and blame the agent for it.
import { startS3 } from '@tseeder/testkit/s3'

const s3 = await startS3()
console.log(`listening ${s3.endpoint}`)
process.once('SIGTERM', () => {
  void s3.close().then(() => process.exit(0))
})
