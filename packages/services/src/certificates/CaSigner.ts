import { chmod, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { AtomConfig, type AtomConfigShape, type CaMode } from "@atom/domain/config"
import { InvalidInput } from "@atom/domain/errors"
import {
  type CaMaterialInput,
  checkLeafTtlSettings,
  devCaFiles,
  devCaMaterial,
  generateDevCa,
  type Issuer,
  type LeafTtlSettings,
  loadIssuer,
  missingSetting,
  requiredCaSettings,
} from "@atom/engines/pki"
import { Context, Data, Effect, Layer, Option } from "effect"

/** The issuer could not be loaded while certificates are enabled: startup stops with this message. */
export class CaSignerFailed extends Data.TaggedError("CaSignerFailed")<{ readonly message: string }> {}

export const CERTIFICATES_DISABLED = "certificate support is disabled"

/** Where the loaded CA material came from (logs and readiness). */
export type CaSource =
  | { readonly _tag: "Files" }
  | { readonly _tag: "DevCa"; readonly directory: string; readonly generated: boolean }
  | { readonly _tag: "DevCaInMemory" }

export type CaState =
  | { readonly _tag: "Disabled" }
  | { readonly _tag: "Loaded"; readonly mode: CaMode; readonly issuer: Issuer; readonly source: CaSource }

/**
 * The issuing CA, loaded once at startup (spec identity-certs §3.1): from the configured files, or
 * — embedded mode only, with no path configured — a development CA generated once into
 * `<ATOM_DATA_DIR>/ca/` (kept in memory for `memory://`). Its key lives only here and in those
 * files, never in the database.
 */
export class CaSigner extends Context.Tag("atom/CaSigner")<
  CaSigner,
  {
    readonly state: CaState
    readonly settings: LeafTtlSettings
    /** The loaded issuer, or 400 `certificate support is disabled`. */
    readonly issuer: Effect.Effect<Issuer, InvalidInput>
  }
>() {
  static readonly Live = Layer.effect(
    CaSigner,
    Effect.gen(function* () {
      const config = yield* AtomConfig
      const settings: LeafTtlSettings = {
        defaultTtlSecs: config.certs.leafDefaultTtlSecs,
        maxTtlSecs: config.certs.leafMaxTtlSecs,
      }
      const state = yield* loadCaState(config, settings)
      const issuer: Effect.Effect<Issuer, InvalidInput> =
        state._tag === "Loaded"
          ? Effect.succeed(state.issuer)
          : Effect.fail(new InvalidInput({ message: CERTIFICATES_DISABLED }))
      return { state, settings, issuer }
    }),
  )
}

const failed = (message: string): CaSignerFailed => new CaSignerFailed({ message: `certificate issuer: ${message}` })

/** Reads one configured file; the key buffer is zeroised once decoded. */
const readSetting = (variable: string, path: string): Effect.Effect<string, CaSignerFailed> =>
  Effect.tryPromise({
    try: () => readFile(path),
    catch: (cause) =>
      failed(`cannot read ${variable} (${path}): ${cause instanceof Error ? cause.message : String(cause)}`),
  }).pipe(
    Effect.map((buffer) => {
      const text = buffer.toString("utf8")
      buffer.fill(0)
      return text
    }),
  )

const settingPath = (config: AtomConfigShape, variable: string): Option.Option<string> => {
  switch (variable) {
    case "ATOM_CERTS_ROOT_CA_CERT_PATH":
      return config.certs.rootCaCertPath
    case "ATOM_CERTS_ROOT_CA_KEY_PATH":
      return config.certs.rootCaKeyPath
    case "ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH":
      return config.certs.intermediateCaCertPath
    case "ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH":
      return config.certs.intermediateCaKeyPath
    default:
      return Option.none()
  }
}

/** The configured files of the mode: each missing variable is `<VAR> must be set`. */
const fromFiles = (config: AtomConfigShape): Effect.Effect<CaMaterialInput, CaSignerFailed> =>
  Effect.gen(function* () {
    const mode = config.certs.caMode
    const texts = new Map<string, string>()
    for (const variable of requiredCaSettings(mode)) {
      const path = settingPath(config, variable)
      if (Option.isNone(path)) {
        const hint = Option.isSome(config.databaseUrl)
          ? " (certificates are enabled; configure the CA files or set ATOM_CERTS_ENABLED=false)"
          : ""
        return yield* Effect.fail(failed(`${missingSetting(variable).message}${hint}`))
      }
      texts.set(variable, yield* readSetting(variable, path.value))
    }
    const text = (variable: string): string => texts.get(variable) ?? ""
    const paths = {
      ...Option.match(config.certs.rootCaCertPath, { onNone: () => ({}), onSome: (rootCert) => ({ rootCert }) }),
      ...Option.match(config.certs.rootCaKeyPath, { onNone: () => ({}), onSome: (rootKey) => ({ rootKey }) }),
      ...Option.match(config.certs.intermediateCaCertPath, {
        onNone: () => ({}),
        onSome: (intermediateCert) => ({ intermediateCert }),
      }),
      ...Option.match(config.certs.intermediateCaKeyPath, {
        onNone: () => ({}),
        onSome: (intermediateKey) => ({ intermediateKey }),
      }),
    }
    return mode === "file_intermediate_issuer"
      ? {
          mode,
          rootCertPem: text("ATOM_CERTS_ROOT_CA_CERT_PATH"),
          intermediateCertPem: text("ATOM_CERTS_INTERMEDIATE_CA_CERT_PATH"),
          intermediateKeyPem: text("ATOM_CERTS_INTERMEDIATE_CA_KEY_PATH"),
          paths,
        }
      : {
          mode,
          rootCertPem: text("ATOM_CERTS_ROOT_CA_CERT_PATH"),
          rootKeyPem: text("ATOM_CERTS_ROOT_CA_KEY_PATH"),
          paths,
        }
  })

const DEV_CA_FILES = ["root-ca.crt", "root-ca.key", "intermediate-ca.crt", "intermediate-ca.key"] as const

const readIfPresent = (path: string): Effect.Effect<string | undefined> =>
  Effect.promise(() => readFile(path, "utf8").catch(() => undefined))

/** The development CA of `<dataDir>/ca/`: loaded when present, generated once (keys 0600) when absent. */
const devCaInDirectory = (
  dataDir: string,
  mode: CaMode,
): Effect.Effect<{ readonly input: CaMaterialInput; readonly source: CaSource }, CaSignerFailed> =>
  Effect.gen(function* () {
    const directory = join(dataDir, "ca")
    const found = yield* Effect.forEach(DEV_CA_FILES, (name) => readIfPresent(join(directory, name)))
    const [rootCertPem, rootKeyPem, intermediateCertPem, intermediateKeyPem] = found
    if (
      rootCertPem !== undefined &&
      rootKeyPem !== undefined &&
      intermediateCertPem !== undefined &&
      intermediateKeyPem !== undefined
    ) {
      return {
        input: devCaMaterial({ rootCertPem, rootKeyPem, intermediateCertPem, intermediateKeyPem }, mode),
        source: { _tag: "DevCa", directory, generated: false },
      }
    }
    if (found.some((text) => text !== undefined)) {
      return yield* Effect.fail(
        failed(`the development CA in ${directory} is incomplete (expected ${DEV_CA_FILES.join(", ")})`),
      )
    }
    const ca = yield* Effect.mapError(generateDevCa(), (e) => failed(`cannot generate a development CA: ${e.detail}`))
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(directory, { recursive: true, mode: 0o700 })
        for (const [name, content] of Object.entries(devCaFiles(ca))) {
          const mode = name.endsWith(".key") ? 0o600 : 0o644
          const path = join(directory, name)
          await writeFile(path, content, { mode, flag: "wx" })
          await chmod(path, mode)
        }
      },
      catch: (cause) =>
        failed(`cannot write the development CA to ${directory}: ${cause instanceof Error ? cause.message : cause}`),
    })
    return { input: devCaMaterial(ca, mode), source: { _tag: "DevCa", directory, generated: true } }
  })

const noPathConfigured = (config: AtomConfigShape): boolean =>
  [
    config.certs.rootCaCertPath,
    config.certs.rootCaKeyPath,
    config.certs.intermediateCaCertPath,
    config.certs.intermediateCaKeyPath,
  ].every(Option.isNone)

const loadCaState = (config: AtomConfigShape, settings: LeafTtlSettings): Effect.Effect<CaState, CaSignerFailed> =>
  Effect.gen(function* () {
    if (!config.certs.enabled) {
      yield* Effect.logInfo("certificate support is disabled")
      return { _tag: "Disabled" } as const
    }
    yield* Effect.mapError(checkLeafTtlSettings(settings), (e) => failed(e.message))
    const mode = config.certs.caMode
    const embedded = Option.isNone(config.databaseUrl)
    const { input, source } =
      embedded && noPathConfigured(config)
        ? config.dataDir === "memory://"
          ? yield* Effect.map(
              Effect.mapError(generateDevCa(), (e) => failed(`cannot generate a development CA: ${e.detail}`)),
              (ca) => ({ input: devCaMaterial(ca, mode), source: { _tag: "DevCaInMemory" } as const }),
            )
          : yield* devCaInDirectory(config.dataDir, mode)
        : { input: yield* fromFiles(config), source: { _tag: "Files" } as const }
    const issuer = yield* Effect.mapError(loadIssuer(input), (e) => failed(e.message))
    const annotations = {
      mode,
      issuer: issuer.subject,
      fingerprint_sha256: issuer.fingerprintSha256,
      not_after: issuer.notAfter.toISOString(),
    }
    switch (source._tag) {
      case "Files":
        yield* Effect.logInfo("certificate issuer loaded").pipe(Effect.annotateLogs(annotations))
        break
      case "DevCaInMemory":
        yield* Effect.logInfo(
          "certificate issuer is a development CA generated in memory (ATOM_DATA_DIR=memory://); it lasts until exit",
        ).pipe(Effect.annotateLogs(annotations))
        break
      case "DevCa":
        yield* Effect.logInfo(
          source.generated
            ? "generated a development CA (configure ATOM_CERTS_* paths for production)"
            : "certificate issuer is the development CA",
        ).pipe(
          Effect.annotateLogs({
            ...annotations,
            directory: source.directory,
            root_certificate: join(source.directory, "root-ca.crt"),
          }),
        )
        break
    }
    return { _tag: "Loaded", mode, issuer, source } as const
  })
