import type { OpenApi } from "@effect/platform"

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const METHODS = ["get", "post", "put", "patch", "delete"] as const

/** A plain HTML page listing every operation of the document: no scripts, no CDN. */
export const docsPage = (document: OpenApi.OpenAPISpec): string => {
  const rows: Array<string> = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (op === undefined) continue
      const statuses = Object.keys(op.responses).join(", ")
      rows.push(
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td>` +
          `<td>${escapeHtml(op.summary ?? op.description ?? "")}</td><td>${escapeHtml(statuses)}</td></tr>`,
      )
    }
  }
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(document.info.title)}</title>`,
    "<style>body{font-family:sans-serif;margin:2rem}td,th{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #ddd}</style>",
    "</head><body>",
    `<h1>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</h1>`,
    `<p>${escapeHtml(document.info.description ?? "")}</p>`,
    '<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>',
    "<table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Statuses</th></tr></thead><tbody>",
    ...rows,
    "</tbody></table></body></html>",
  ].join("\n")
}
