import { AtomRpcs } from "@atom/domain/rpc"
import { auditHandlers } from "./auditHandlers.js"
import { authzHandlers } from "./authzHandlers.js"
import { certificateHandlers } from "./certificateHandlers.js"
import { credentialHandlers } from "./credentialHandlers.js"
import { entityHandlers } from "./entityHandlers.js"
import { policyHandlers } from "./policyHandlers.js"
import { tenantHandlers } from "./tenantHandlers.js"

/** Every `AtomRpcs` handler; each runs on the services of the shared runtime. */
export const AtomRpcHandlers = AtomRpcs.toLayer({
  ...tenantHandlers,
  ...entityHandlers,
  ...policyHandlers,
  ...authzHandlers,
  ...credentialHandlers,
  ...certificateHandlers,
  ...auditHandlers,
})
