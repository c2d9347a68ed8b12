import { constants } from "node:fs"
import { access, chmod, mkdir, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { type DevCa, generateDevCa } from "@atom/engines/pki"
import { Effect } from "effect"

export interface CaInitOptions {
  readonly kind: "dev" | "prod"
  readonly out: string
  readonly organization: string
  readonly validityDays: number
}

interface CaFile {
  readonly path: string
  readonly content: string
  readonly secret: boolean
}

/**
 * The files of each layout. Development: the four files embedded mode loads from `<ATOM_DATA_DIR>/ca`.
 * Production: P-384 keys; the root key goes to `offline/`, since `file_intermediate_issuer` signs with the
 * intermediate and never needs it (move it off the machine).
 */
const layout = (options: CaInitOptions, ca: DevCa): ReadonlyArray<CaFile> => [
  { path: join(options.out, "root-ca.crt"), content: ca.rootCertPem, secret: false },
  {
    path: options.kind === "prod" ? join(options.out, "offline", "root-ca.key") : join(options.out, "root-ca.key"),
    content: ca.rootKeyPem,
    secret: true,
  },
  { path: join(options.out, "intermediate-ca.crt"), content: ca.intermediateCertPem, secret: false },
  { path: join(options.out, "intermediate-ca.key"), content: ca.intermediateKeyPem, secret: true },
]

const exists = (path: string): Promise<boolean> =>
  access(path, constants.F_OK).then(
    () => true,
    () => false,
  )

/** `atom ca init`: writes a new CA (keys 0600, folders 0700) and returns the settings that point Atom at it. */
export const runCaInit = async (options: CaInitOptions): Promise<string> => {
  const out = resolve(options.out)
  const opts = { ...options, out }
  const org = options.organization
  const placeholder = layout(opts, { rootCertPem: "", rootKeyPem: "", intermediateCertPem: "", intermediateKeyPem: "" })
  const present = (await Promise.all(placeholder.map(async (f) => ((await exists(f.path)) ? [f.path] : [])))).flat()
  if (present.length > 0) throw new Error(`refusing to overwrite an existing CA: ${present.join(", ")} already exists`)

  const ca = await Effect.runPromise(
    generateDevCa(
      options.kind === "dev"
        ? { validityDays: options.validityDays }
        : {
            keyType: "P-384",
            validityDays: options.validityDays,
            organization: org,
            rootCommonName: `${org} Root CA`,
            intermediateCommonName: `${org} Intermediate CA`,
          },
    ),
  )
  const files = layout(opts, ca)
  for (const file of files) {
    await mkdir(join(file.path, ".."), { recursive: true, mode: 0o700 })
    const mode = file.secret ? 0o600 : 0o644
    await writeFile(file.path, file.content, { mode, flag: "wx" })
    await chmod(file.path, mode)
  }
  const settings = [
    "ATOM_CERTS_CA_MODE=file_intermediate_issuer",
    `ATOM_CERTS_ROOT_CA_CERT_PATH=${join(out, "root-ca.crt")}`,
    `ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH=${join(out, "intermediate-ca.crt")}`,
    `ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH=${join(out, "intermediate-ca.key")}`,
  ]
  const note =
    options.kind === "prod"
      ? [`# move ${join(out, "offline", "root-ca.key")} to offline storage: Atom never needs the root key`]
      : ["# development CA: embedded mode also finds these files when --out is <ATOM_DATA_DIR>/ca"]
  return [
    `# ${options.kind === "prod" ? "production" : "development"} CA written to ${out}`,
    ...note,
    ...settings,
  ].join("\n")
}
