/**
 * The policy engine's public surface. Front doors (CLI, Docker authz plugin, admission,
 * console) load policies once with `loadPolicies`, build a `PolicyInput` at their edge and
 * call `evaluatePolicy`.
 */
export { type EvidenceFinding, evaluatePolicy, type ExceptionReport, MAX_EVIDENCE, type PolicyResult, policyNeeds, type RuleResult, type Verdict } from './evaluate.js';
export { explainResult } from './explain.js';
export { imageFacts } from './facts/image.js';
export { FIELDS } from './fields/registry.js';
export type { Need } from './fields/types.js';
export {
  type ComplianceFact,
  type ImageFacts,
  parsePolicyInput,
  type PolicyContext,
  type PolicyFinding,
  type PolicyInput,
  PolicyInputSchema,
  type SignatureFacts,
  type Stage,
  STAGES,
} from './input.js';
export { baseImageRefs, compilePolicies, loadPolicies, type LoadOptions, type PolicySource } from './load.js';
export { type Action, API_VERSION, type Diagnostic, formatDiagnostic, type LoadedPolicy } from './model.js';
export { readPolicySources } from './sources.js';
