import type { Check, ManualCheck } from '../../types.js';
import { CIS_K8S_WORKLOAD_CHECKS } from './workloads.js';

/** CIS Kubernetes Benchmark v1.9.0 section 5 checks Portcullis evaluates on manifests, sorted by number. */
export const CIS_K8S_CHECKS: readonly Check<'k8s-workload'>[] = CIS_K8S_WORKLOAD_CHECKS;

const manual = (num: string, title: string, why: string): ManualCheck => ({ id: `cis-k8s-${num}`, benchmark: 'cis-k8s', title, why });
const CLUSTER = 'needs the live cluster (RBAC bindings, admission configuration or CNI), not a workload manifest';

/** Section 5 recommendations that a workload manifest cannot decide. */
export const CIS_K8S_MANUAL: readonly ManualCheck[] = [
  manual('5.1.1', 'Ensure that the cluster-admin role is only used where required', CLUSTER),
  manual('5.1.2', 'Minimize access to secrets', CLUSTER),
  manual('5.1.3', 'Minimize wildcard use in Roles and ClusterRoles', CLUSTER),
  manual('5.1.4', 'Minimize access to create pods', CLUSTER),
  manual('5.1.5', 'Ensure that default service accounts are not actively used', CLUSTER),
  manual('5.1.7', 'Avoid use of system:masters group', CLUSTER),
  manual('5.1.8', 'Limit use of the Bind, Impersonate and Escalate permissions', CLUSTER),
  manual('5.1.9', 'Minimize access to create persistent volumes', CLUSTER),
  manual('5.1.10', 'Minimize access to the proxy sub-resource of nodes', CLUSTER),
  manual('5.1.11', 'Minimize access to the approval sub-resource of certificatesigningrequests', CLUSTER),
  manual('5.1.12', 'Minimize access to webhook configuration objects', CLUSTER),
  manual('5.1.13', 'Minimize access to the service account token creation', CLUSTER),
  manual('5.2.1', 'Ensure that the cluster has at least one active policy control mechanism in place', CLUSTER),
  manual('5.3.1', 'Ensure that the CNI in use supports NetworkPolicies', CLUSTER),
  manual('5.3.2', 'Ensure that all Namespaces have NetworkPolicies defined', CLUSTER),
  manual('5.4.2', 'Consider external secret storage', 'an architecture decision'),
  manual('5.5.1', 'Configure Image Provenance using ImagePolicyWebhook admission controller', CLUSTER),
  manual('5.7.1', 'Create administrative boundaries between resources using namespaces', 'an organisational decision'),
];
