import { AtomRpcs } from "@atom/domain/rpc"
import { actionHandlers } from "./actionHandlers.js"
import { auditHandlers } from "./auditHandlers.js"
import { authzHandlers } from "./authzHandlers.js"
import { certificateHandlers } from "./certificateHandlers.js"
import { credentialHandlers } from "./credentialHandlers.js"
import { endpointHandlers } from "./endpointHandlers.js"
import { entityHandlers } from "./entityHandlers.js"
import { groupHandlers } from "./groupHandlers.js"
import { membershipHandlers } from "./membershipHandlers.js"
import { policyHandlers } from "./policyHandlers.js"
import { profileHandlers } from "./profileHandlers.js"
import { resourceHandlers } from "./resourceHandlers.js"
import { systemHandlers } from "./systemHandlers.js"
import { tenantHandlers } from "./tenantHandlers.js"

/** Every `AtomRpcs` handler; each runs on the services of the shared runtime. */
export const AtomRpcHandlers = AtomRpcs.toLayer({
  ...tenantHandlers,
  ...membershipHandlers,
  ...profileHandlers,
  ...entityHandlers,
  ...groupHandlers,
  ...resourceHandlers,
  ...policyHandlers,
  ...actionHandlers,
  ...authzHandlers,
  ...credentialHandlers,
  ...certificateHandlers,
  ...auditHandlers,
  ...endpointHandlers,
  ...systemHandlers,
})
