import { Context } from "effect"

/** Channels this process listens on: decision changes (migration 0003) and authentication changes (0009). */
export const FEED_CHANNELS = ["authz_revision", "atom_auth"] as const

/**
 * What in-memory caches need to know about committed changes (DESIGN.md §6), and whether they can
 * trust it (`isLive`).
 *
 * - `epoch` moves on every local commit of a change (before the writer answers, so the very next
 *   request on this replica sees it) and whenever the subscription is lost or (re)established;
 * - `latestRevision` is the highest authz revision announced by any replica's commit (NOTIFY), so
 *   the echo of a commit this replica already read costs nothing;
 * - `authEpoch` moves on every announced authentication change (revoked session or credential, and
 *   signing-key changes, so remembered tokens are verified again);
 * - `keysEpoch` moves on every announced signing-key change (payload `signing_keys` on `atom_auth`,
 *   migration 0012) and whenever the subscription is lost or (re)established: the key ring reloads.
 *
 * A grant cache confirmed at revision `r` by a read that started at epoch `e` is current while
 * `isLive()`, `epoch() === e` and `latestRevision() <= r`; otherwise read the database.
 */
export interface RevisionFeedShape {
  /** true while the LISTEN subscription is established; when false, every read must go to the database */
  readonly isLive: () => boolean
  readonly epoch: () => number
  /** the highest revision announced on `authz_revision`; -1 before any */
  readonly latestRevision: () => bigint
  readonly authEpoch: () => number
  /** moves when any replica changed the signing keys, or liveness changed */
  readonly keysEpoch: () => number
  /** a local change has committed (a statement outside any transaction) */
  readonly signal: () => void
  /** a local change was made in the transaction on `connection`: signal when that transaction ends */
  readonly signalAtEnd: (connection: object) => void
}

export class RevisionFeed extends Context.Tag("atom/RevisionFeed")<RevisionFeed, RevisionFeedShape>() {}

/** The feed's state, with the setters its listener uses. */
export interface RevisionFeedState extends RevisionFeedShape {
  /** a notification arrived on `channel` */
  readonly notified: (channel: string, payload: string | undefined) => void
  readonly setLive: (live: boolean) => void
  /** the transaction on `connection` ended (committed or rolled back) */
  readonly transactionEnded: (connection: object) => void
}

export const makeRevisionFeedState = (): RevisionFeedState => {
  let live = false
  let epoch = 0
  let latestRevision = -1n
  let authEpoch = 0
  let keysEpoch = 0
  const pending = new WeakSet<object>()
  const signal = () => {
    epoch++
  }
  return {
    isLive: () => live,
    epoch: () => epoch,
    latestRevision: () => latestRevision,
    authEpoch: () => authEpoch,
    keysEpoch: () => keysEpoch,
    signal,
    signalAtEnd: (connection) => {
      pending.add(connection)
    },
    notified: (channel, payload) => {
      if (channel === "authz_revision" && payload !== undefined && /^\d{1,19}$/.test(payload)) {
        const revision = BigInt(payload)
        if (revision > latestRevision) latestRevision = revision
      } else if (channel === "atom_auth") {
        authEpoch++
        if (payload === "signing_keys") keysEpoch++
      } else {
        // not understood: assume anything may have changed
        epoch++
      }
    },
    setLive: (next) => {
      if (next !== live) {
        live = next
        epoch++
        keysEpoch++
      }
    },
    transactionEnded: (connection) => {
      if (pending.delete(connection)) epoch++
    },
  }
}

/** A feed that is never live: every cache reads the database (tests and tools without a listener). */
export const notLiveFeed: RevisionFeedShape = {
  isLive: () => false,
  epoch: () => 0,
  latestRevision: () => -1n,
  authEpoch: () => 0,
  keysEpoch: () => 0,
  signal: () => {},
  signalAtEnd: () => {},
}
