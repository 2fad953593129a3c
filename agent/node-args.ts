/**
 * The V8 flags every launcher runs the agent with (npm start, the benchmark; the Dockerfile and
 * the systemd unit repeat them). A 2 MB young generation instead of 16 MB keeps five concurrent
 * jobs under 300 MB resident (`npm run bench -w agent`: 276–289 MB, against 275–357 MB without)
 * for about 5 % more CPU: most of the agent's garbage is short-lived buffers on their way to disk
 * and S3, which a small nursery collects as well.
 *
 * The old generation may grow to four times what survived the last full collection before the
 * next one starts (`--heap-growing-percent=300`). The agent's heap is small (25 MB live) and V8's
 * own factor for it was about 1.5, so the socket reads and piece buffers promoted on their way
 * started a full collection every 16 MB downloaded (`--trace-gc`: 65–69 mark-compacts per GiB,
 * 25 with the flag). Same run, 1 GiB × 2: agent CPU 8.91/9.39 → 7.34/7.54 s; five 1 GiB jobs at
 * once peaked at 261–283 MB resident in three runs.
 */
export const AGENT_NODE_ARGS = ['--max-semi-space-size=2', '--heap-growing-percent=300']
