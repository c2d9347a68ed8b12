export { GateLive as GateLayer } from "@atom/services/authz"
