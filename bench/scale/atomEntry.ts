/** The scale bench's Atom: the server's own entry point, with the statement counter installed first. */
import { installQueryCounter } from "./countQueries.js"

installQueryCounter()
await import("../../packages/server/src/main.js")
