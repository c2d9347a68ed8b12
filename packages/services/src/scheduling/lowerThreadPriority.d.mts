/** The niceness a background thread takes before the SCHED_IDLE policy. */
export declare const BACKGROUND_NICENESS: number

/** Lowers this thread's priority; answers the niceness now in force, or undefined where threads cannot be named. */
export declare const lowerThreadPriority: () => number | undefined

/** Lowers every thread of this process; answers the main thread's niceness, or undefined where /proc does not list threads. */
export declare const lowerProcessPriority: () => number | undefined
