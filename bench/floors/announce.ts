/**
 * Shared by the floor servers: tell the parent which port was bound (one stdout line, `READY <port>`),
 * and exit on SIGTERM/SIGINT after closing (bounded: a stuck close still exits after 3 s).
 */
export const READY_PREFIX = "READY "

export const announceReady = (port: number, close: (done: () => void) => void): void => {
  process.stdout.write(`${READY_PREFIX}${port}\n`)
  const shutdown = () => {
    setTimeout(() => process.exit(0), 3_000).unref()
    close(() => process.exit(0))
  }
  process.once("SIGTERM", shutdown)
  process.once("SIGINT", shutdown)
}

/** Floors only ever bind loopback on a port the OS picks. */
export const FLOOR_HOST = "127.0.0.1"
