export * from './progress-bar.tsx'
export * from './status-badge.tsx'
export * from './job-summary.tsx'
export * from './use-now.ts'
