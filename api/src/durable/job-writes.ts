import { mimeTypeOf } from '@tseeder/shared/mime'
import { recordContent } from '../db/content.ts'
import { recordJobFiles, recordStoredJobFiles, selectJobFiles } from '../db/job-files.ts'
import { setJobDownloads, setJobStoredBytes } from '../db/job-stored.ts'
import { setJobName, setJobSelection, unfollowJob, updateJobLifecycle } from '../db/jobs.ts'
import { lineUpStatement } from '../db/dispatch-line.ts'
import { adjustStorageStatement } from '../db/usage.ts'
import { contentKey } from '../storage/s3.ts'
import type { DbWrite } from './job-intents.ts'

/** The statements of one decided write, for one D1 batch. */
export function statementsFor(db: D1Database, write: DbWrite): D1PreparedStatement[] {
  switch (write.type) {
    case 'job_row':
      return [updateJobLifecycle(db, write.job, write.error, write.at)]
    case 'job_metadata':
      return [
        ...recordJobFiles(db, write.jobId, write.files, write.selectedFiles),
        setJobName(db, write.jobId, write.name),
      ]
    case 'stored_files': {
      // Objects are keyed by content, never by what the agent reported.
      const objects = write.files.map((f) => ({
        ...f,
        key: contentKey(write.infohash, f.index),
        mimeType: f.mimeType ?? mimeTypeOf(f.path),
      }))
      return [
        ...recordContent(db, write.infohash, write.jobId, objects, write.at),
        ...recordStoredJobFiles(db, write.jobId, objects, write.selectedFiles),
        setJobStoredBytes(db, write.jobId, write.storedBytes),
        setJobDownloads(db, write.jobId),
        adjustStorageStatement(db, write.userId, write.storedBytesDelta, write.at),
      ]
    }
    case 'file_choice':
      return [
        setJobSelection(db, write.jobId, write.selectedFiles, write.bytesTotal),
        selectJobFiles(db, write.jobId, write.chosen),
      ]
    case 'unfollow':
      return [unfollowJob(db, write.jobId)]
    case 'line_up':
      return [lineUpStatement(db, write.jobId, write)]
  }
}
