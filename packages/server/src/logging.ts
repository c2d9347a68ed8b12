import type { AtomConfigShape } from "@atom/domain/config"
import { Layer, Logger, LogLevel } from "effect"

const LEVELS = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
} as const

/** Structured JSON lines by default (one object per event); logfmt text when asked. */
export const LoggingLive = (log: AtomConfigShape["log"]) =>
  Layer.merge(log.format === "json" ? Logger.json : Logger.logFmt, Logger.minimumLogLevel(LEVELS[log.level]))
