/**
 * Wraps a client's transport so that the server restarts while a read is under way: once a
 * few READ subrequests have completed and more are pending, `restart()` is started. The
 * reconnect tests against our server and against nfs-ganesha share it.
 */
import type { NfsClient, NfsTransport } from '@nfsts/client';

export interface RestartWatch {
  /** subrequests still in flight when the restart began */
  readonly inFlightAtStop: number;
  /** the restart, once it has begun */
  readonly restarting: Promise<void> | undefined;
}

export function restartAfterReads(client: NfsClient, completedReads: number, restart: () => Promise<void>): RestartWatch {
  const inner: NfsTransport = client.transport;
  const watch = { inFlightAtStop: 0, restarting: undefined as Promise<void> | undefined };
  let done = 0;
  let inFlight = 0;
  client.transport = {
    read: async (fh, off, dest) => {
      inFlight++;
      try {
        return await inner.read(fh, off, dest);
      } finally {
        inFlight--;
        if (++done === completedReads) {
          watch.inFlightAtStop = inFlight;
          watch.restarting = restart();
        }
      }
    },
    write: (fh, off, d, s) => inner.write(fh, off, d, s),
    commit: (fh, off, n) => inner.commit(fh, off, n),
  };
  return watch;
}
