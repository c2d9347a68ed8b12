import { createServer, type Server, type Socket } from "node:net"
import { createServer as createTlsServer, TLSSocket } from "node:tls"

/** A message as a test SMTP server took it off the wire. */
export interface ReceivedMail {
  readonly from: string
  readonly to: ReadonlyArray<string>
  /** the DATA section, dot-unstuffed: headers, a blank line, the body */
  readonly data: string
  /** whether the message travelled over TLS */
  readonly secure: boolean
}

/**
 * TLS for a sink: `implicit` speaks TLS from the first byte (port 465 style), `starttls` offers the
 * STARTTLS upgrade (RFC 3207) in its EHLO answer.
 */
export interface SinkTls {
  readonly mode: "implicit" | "starttls"
  readonly key: string
  readonly cert: string
}

export interface SmtpSink {
  readonly port: number
  readonly messages: Array<ReceivedMail>
  readonly close: () => Promise<void>
}

const address = (line: string): string => /<([^>]*)>/.exec(line)?.[1] ?? ""

/**
 * The smallest SMTP server a client can deliver to (RFC 5321, plus STARTTLS when asked): it keeps every
 * message and refuses recipients whose address starts with `reject`, so tests can see a real delivery
 * and a real refusal.
 */
export const startSmtpSink = async (tls?: SinkTls): Promise<SmtpSink> => {
  const messages: Array<ReceivedMail> = []
  const serve = (socket: Socket, secure: boolean): void => {
    socket.setEncoding("utf8")
    let buffer = ""
    let inData = false
    let from = ""
    let to: Array<string> = []
    socket.on("data", (chunk: string) => {
      buffer += chunk
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n")
          if (end < 0) return
          const data = buffer.slice(0, end).replace(/^\.\./gm, ".")
          buffer = buffer.slice(end + 5)
          inData = false
          messages.push({ from, to, data, secure })
          from = ""
          to = []
          socket.write("250 2.0.0 queued\r\n")
          continue
        }
        const eol = buffer.indexOf("\r\n")
        if (eol < 0) return
        const line = buffer.slice(0, eol)
        buffer = buffer.slice(eol + 2)
        const verb = line.slice(0, 4).toUpperCase()
        const offerTls = tls?.mode === "starttls" && !secure
        if (verb === "EHLO" || verb === "HELO") {
          socket.write(`250-sink.test\r\n${offerTls ? "250-STARTTLS\r\n" : ""}250 8BITMIME\r\n`)
        } else if (line.toUpperCase() === "STARTTLS" && offerTls && tls) {
          socket.removeAllListeners("data")
          socket.write("220 2.0.0 ready to start TLS\r\n")
          const upgraded = new TLSSocket(socket, { isServer: true, key: tls.key, cert: tls.cert })
          upgraded.on("secure", () => serve(upgraded, true))
          upgraded.on("error", () => upgraded.destroy())
          return
        } else if (verb === "MAIL") {
          from = address(line)
          socket.write("250 2.1.0 ok\r\n")
        } else if (verb === "RCPT") {
          const rcpt = address(line)
          if (rcpt.startsWith("reject")) socket.write("550 5.1.1 mailbox unavailable\r\n")
          else {
            to.push(rcpt)
            socket.write("250 2.1.5 ok\r\n")
          }
        } else if (verb === "DATA") {
          inData = true
          socket.write("354 end with <CRLF>.<CRLF>\r\n")
        } else if (verb === "QUIT") {
          socket.end("221 2.0.0 bye\r\n")
          return
        } else if (verb === "RSET" || verb === "NOOP") socket.write("250 2.0.0 ok\r\n")
        else socket.write("502 5.5.2 not implemented\r\n")
      }
    })
    socket.on("error", () => socket.destroy())
  }
  const server: Server =
    tls?.mode === "implicit"
      ? createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => {
          socket.write("220 sink.test ESMTP\r\n")
          serve(socket, true)
        })
      : createServer((socket) => {
          socket.write("220 sink.test ESMTP\r\n")
          serve(socket, false)
        })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const bound = server.address()
  if (bound === null || typeof bound === "string") throw new Error("SMTP sink did not bind")
  return {
    port: bound.port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The body of a received message, decoded from quoted-printable or base64 when it says so. */
export const mailBody = (mail: ReceivedMail): string => {
  const split = mail.data.indexOf("\r\n\r\n")
  const headers = mail.data.slice(0, split).replace(/\r\n[ \t]+/g, " ")
  const body = mail.data.slice(split + 4)
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase()
  if (encoding === "base64") return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
  if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r\n/g, "")
      .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    return Buffer.from(bytes, "latin1").toString("utf8")
  }
  return body
}

/** One header of a received message (folded lines joined). */
export const mailHeader = (mail: ReceivedMail, name: string): string | undefined => {
  const split = mail.data.indexOf("\r\n\r\n")
  const headers = mail.data.slice(0, split).replace(/\r\n[ \t]+/g, " ")
  return new RegExp(`^${name}:\\s*(.*)$`, "im").exec(headers)?.[1]
}
