import { Deferred, Duration, Effect, Redacted, Schedule, type Scope } from "effect"
import Pg from "pg"
import { FEED_CHANNELS, type RevisionFeedState } from "./RevisionFeed.js"

/** How often the listening connection proves it is alive, and how long it may take to answer. */
const HEARTBEAT = Duration.seconds(2)
const HEARTBEAT_TIMEOUT = Duration.seconds(2)
const RECONNECT = Schedule.exponential(Duration.millis(100)).pipe(Schedule.union(Schedule.spaced(Duration.seconds(5))))

/**
 * One subscription: a dedicated connection (LISTEN needs one outside the pool), live from its LISTEN
 * statements until it errors, ends or misses a heartbeat. Fails when the subscription is over.
 */
const subscribeOnce = (url: Redacted.Redacted<string>, feed: RevisionFeedState, connectTimeoutMs: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const lost = yield* Deferred.make<never, Error>()
      const client = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const c = new Pg.Client({
            connectionString: Redacted.value(url),
            application_name: "atom-listener",
            keepAlive: true,
            connectionTimeoutMillis: connectTimeoutMs,
          })
          c.on("notification", (n) => feed.notified(n.channel, n.payload))
          c.on("error", (e) => Deferred.unsafeDone(lost, Effect.fail(e)))
          c.on("end", () => Deferred.unsafeDone(lost, Effect.fail(new Error("listener connection ended"))))
          return c
        }),
        (c) =>
          Effect.sync(() => feed.setLive(false)).pipe(
            Effect.zipRight(Effect.promise(() => c.end().catch(() => undefined))),
            Effect.timeoutOption(Duration.seconds(2)),
          ),
      )
      const query = (text: string) =>
        Effect.tryPromise({
          try: () => client.query(text),
          catch: (e) => (e instanceof Error ? e : new Error(String(e))),
        })
      yield* Effect.tryPromise({
        try: () => client.connect(),
        catch: (e) => (e instanceof Error ? e : new Error(String(e))),
      })
      yield* query(FEED_CHANNELS.map((channel) => `LISTEN ${channel}`).join("; "))
      // from here every commit on the database reaches `feed.notified`
      feed.setLive(true)
      const heartbeat = query("SELECT 1").pipe(
        Effect.timeoutFail({ duration: HEARTBEAT_TIMEOUT, onTimeout: () => new Error("listener heartbeat timed out") }),
        Effect.repeat(Schedule.spaced(HEARTBEAT)),
      )
      return yield* Effect.raceFirst(Deferred.await(lost), heartbeat)
    }),
  )

/**
 * Keeps `feed` subscribed to the database's change channels for the life of the scope, reconnecting
 * with backoff. Waits (at most `connectTimeoutMs`) for the first subscription, so a fresh server
 * starts with live caches; while no subscription stands, the feed reports not live.
 */
export const listenPostgres = (
  url: Redacted.Redacted<string>,
  feed: RevisionFeedState,
  connectTimeoutMs: number,
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const loop = subscribeOnce(url, feed, connectTimeoutMs).pipe(
      Effect.tapError((e) =>
        Effect.logWarning("database change listener lost").pipe(Effect.annotateLogs({ error: e.message })),
      ),
      Effect.retry(RECONNECT),
      Effect.ignore,
    )
    yield* Effect.forkScoped(loop)
    yield* Effect.sync(() => feed.isLive()).pipe(
      Effect.repeat({ schedule: Schedule.spaced(Duration.millis(10)), until: (live) => live }),
      Effect.timeoutOption(Duration.millis(connectTimeoutMs)),
    )
  })
