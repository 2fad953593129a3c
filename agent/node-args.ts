/**
 * The V8 flags every launcher runs the agent with (npm start, the benchmark; the Dockerfile and
 * the systemd unit repeat them). A 2 MB young generation instead of 16 MB keeps five concurrent
 * jobs under 300 MB resident (`npm run bench -w agent`: 276–289 MB, against 275–357 MB without)
 * for about 5 % more CPU: most of the agent's garbage is short-lived buffers on their way to disk
 * and S3, which a small nursery collects as well.
 */
export const AGENT_NODE_ARGS = ['--max-semi-space-size=2']
