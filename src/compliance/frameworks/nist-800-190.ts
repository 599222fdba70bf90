import type { Framework } from './schema.js';

/**
 * NIST SP 800-190 "Application Container Security Guide" (2017), section 4 countermeasures.
 * https://doi.org/10.6028/NIST.SP.800-190. Control ids are the section numbers.
 */
export const NIST_800_190 = {
  id: 'nist-800-190',
  version: '2017',
  title: 'NIST SP 800-190 Application Container Security Guide, section 4 countermeasures',
  url: 'https://doi.org/10.6028/NIST.SP.800-190',
  controls: [
    { id: '4.1.1', title: 'Image vulnerabilities', checks: [], concerns: ['vulnerability-management'] },
    { id: '4.1.2', title: 'Image configuration defects', checks: ['cis-docker-4.1', 'cis-docker-4.6', 'cis-docker-4.8', 'cis-docker-4.9'], concerns: [] },
    { id: '4.1.4', title: 'Embedded clear text secrets', checks: [], concerns: ['secrets'] },
    { id: '4.1.5', title: 'Use of untrusted images', checks: [], concerns: ['image-integrity'] },
    { id: '4.2.1', title: 'Insecure connections to registries', checks: [], concerns: ['secure-transport'] },
    { id: '4.2.2', title: 'Stale images in registries', checks: ['cis-docker-6.1'], concerns: [] },
    { id: '4.3.1', title: 'Unbounded administrative access', checks: [], concerns: ['access-control'] },
    { id: '4.3.3', title: 'Poorly separated inter-container network traffic', checks: [], concerns: ['network-segmentation'] },
    { id: '4.3.4', title: 'Mixing of workload sensitivity levels', checks: ['cis-k8s-5.7.4'], concerns: [] },
    { id: '4.4.1', title: 'Vulnerabilities within the runtime software', checks: ['cis-docker-1.2.2', 'cis-docker-2.6'], concerns: [] },
    { id: '4.4.2', title: 'Unbounded network access from containers', checks: [], concerns: ['network-segmentation'] },
    { id: '4.4.3', title: 'Insecure container runtime configurations', checks: [], concerns: ['least-privilege', 'isolation', 'runtime-hardening', 'resource-limits', 'availability'] },
    { id: '4.4.5', title: 'Rogue containers', checks: [], concerns: ['inventory', 'audit-logging'] },
    { id: '4.5.1', title: 'Large attack surface', checks: [], concerns: ['attack-surface'] },
    { id: '4.5.2', title: 'Shared kernel', checks: [], concerns: ['isolation'] },
    { id: '4.5.4', title: 'Improper user access rights', checks: [], concerns: ['access-control'] },
    { id: '4.5.5', title: 'Host file system tampering', checks: [], concerns: ['config-integrity'] },
  ],
} satisfies Framework;
