/**
 * What a check protects. Framework controls (frameworks/) name concerns and check ids, so a
 * check is mapped to NIST SP 800-190, PCI DSS, HIPAA and GDPR controls through its concerns.
 */
export const CONCERNS = {
  'least-privilege': 'Processes get only the privileges they need (users, capabilities, privilege escalation).',
  isolation: 'Containers stay separated from the host and from each other (namespaces, mounts, devices).',
  'resource-limits': 'One workload cannot starve the host or its neighbours (memory, CPU, PIDs, ulimits).',
  'network-segmentation': 'Network traffic between containers and to the host is restricted.',
  'secure-transport': 'Remote access and registry traffic are authenticated and encrypted.',
  'access-control': 'Only authorized users and requests can control the engine.',
  'audit-logging': 'Activity is recorded and kept where it cannot be lost or altered.',
  'config-integrity': 'Configuration files, sockets and certificates cannot be changed by the wrong users.',
  'image-integrity': 'Images and their content come from trusted, verified sources.',
  secrets: 'Credentials are not embedded in images, configs or environment variables.',
  'vulnerability-management': 'Software is kept patched and images are rebuilt with updates.',
  availability: 'Services recover from failures and report their health.',
  'runtime-hardening': 'Kernel security features (seccomp, AppArmor, SELinux, read-only filesystems) are applied.',
  'attack-surface': 'Nothing runs or is installed that the workload does not need.',
  inventory: 'Unused images and containers are tracked and removed.',
} as const;

export type Concern = keyof typeof CONCERNS;

export const CONCERN_IDS = Object.keys(CONCERNS).sort() as Concern[];

export function isConcern(value: string): value is Concern {
  return Object.hasOwn(CONCERNS, value);
}
