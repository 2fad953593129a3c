import { endpoint, type Endpoint } from './endpoint.ts'
import { IdParams } from './schemas/common.ts'
import type { JobAction } from './schemas/status.ts'
import {
  CreateJobBody,
  CreateJobForm,
  FileLink,
  FileList,
  Job,
  JobHistory,
  JobList,
  JobWithFiles,
  ListJobsQuery,
  ResumeJobBody,
} from './schemas/job.ts'

function jobAction<A extends JobAction>(action: A) {
  return endpoint({
    method: 'POST',
    path: `/api/jobs/:id/${action}`,
    access: 'user',
    scope: 'jobs:write',
    aup: true,
    params: IdParams,
    response: Job,
    status: 200,
  })
}

/** A user's jobs and their files: part of the one endpoint table (`endpoints`). */
export const jobEndpoints = {
  createJob: endpoint({
    method: 'POST',
    path: '/api/jobs',
    access: 'user',
    scope: 'jobs:write',
    aup: true,
    body: CreateJobBody,
    form: CreateJobForm,
    response: Job,
    status: 201,
  }),
  listJobs: endpoint({
    method: 'GET',
    path: '/api/jobs',
    access: 'user',
    scope: 'jobs:read',
    aup: true,
    query: ListJobsQuery,
    response: JobList,
    status: 200,
  }),
  getJob: endpoint({
    method: 'GET',
    path: '/api/jobs/:id',
    access: 'user',
    scope: 'jobs:read',
    aup: true,
    params: IdParams,
    response: JobWithFiles,
    status: 200,
  }),
  pauseJob: jobAction('pause'),
  resumeJob: endpoint({ ...jobAction('resume'), body: ResumeJobBody.optional() }),
  cancelJob: jobAction('cancel'),
  retryJob: jobAction('retry'),
  deleteJob: endpoint({
    method: 'DELETE',
    path: '/api/jobs/:id',
    access: 'user',
    scope: 'jobs:write',
    aup: true,
    params: IdParams,
    response: null,
    status: 204,
  }),
  jobHistory: endpoint({
    method: 'GET',
    path: '/api/jobs/:id/history',
    access: 'user',
    scope: 'jobs:read',
    aup: true,
    params: IdParams,
    response: JobHistory,
    status: 200,
  }),
  listJobFiles: endpoint({
    method: 'GET',
    path: '/api/jobs/:id/files',
    access: 'user',
    scope: 'files:read',
    aup: true,
    params: IdParams,
    response: FileList,
    status: 200,
  }),
  createFileLink: endpoint({
    method: 'POST',
    path: '/api/files/:id/link',
    access: 'user',
    scope: 'files:read',
    aup: true,
    params: IdParams,
    response: FileLink,
    status: 200,
  }),
} as const satisfies Record<string, Endpoint>
