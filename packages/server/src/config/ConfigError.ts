import { Schema } from "effect"

/** A bad or missing setting: names the variable and what it expects, in one line. */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  variable: Schema.String,
  expected: Schema.String,
}) {
  override get message(): string {
    return `invalid configuration: ${this.variable} must be ${this.expected}`
  }
}
