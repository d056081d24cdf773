// The Python bridge: interpreter discovery, the helper process and its typed requests.
export { Bridge, startBridge, BRIDGE_PYTHON_DIR, type StartBridgeOptions } from "./client.js";
export {
  findPython,
  pythonCandidates,
  whichIn,
  type FoundPython,
  type PythonCandidate,
  type PythonQuery,
  type PythonSource,
} from "./interpreter.js";
export { preflightError, missingRequirements, pipCommand, requirementFor } from "./preflight.js";
export { remoteError, remoteFailureOf, redactParams } from "./remote-error.js";
export type * from "./contract.js";
