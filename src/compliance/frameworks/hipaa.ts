import type { Framework } from './schema.js';

/**
 * HIPAA Security Rule, 45 CFR Part 164 Subpart C: the administrative and technical safeguards
 * container configuration evidences. https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C
 */
export const HIPAA = {
  id: 'hipaa-security-rule',
  version: '2013',
  title: 'HIPAA Security Rule (45 CFR 164.308, 164.312)',
  url: 'https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C',
  controls: [
    { id: '164.308(a)(1)(ii)(B)', title: 'Risk management: security measures reduce risks to a reasonable level', checks: [], concerns: ['runtime-hardening', 'attack-surface', 'vulnerability-management'] },
    { id: '164.308(a)(1)(ii)(D)', title: 'Information system activity review', checks: [], concerns: ['audit-logging', 'inventory'] },
    { id: '164.308(a)(4)(ii)(B)', title: 'Access authorization', checks: [], concerns: ['access-control', 'least-privilege'] },
    { id: '164.308(a)(5)(ii)(B)', title: 'Protection from malicious software', checks: [], concerns: ['image-integrity', 'vulnerability-management'] },
    { id: '164.308(a)(7)(i)', title: 'Contingency plan', checks: [], concerns: ['availability', 'resource-limits'] },
    { id: '164.312(a)(1)', title: 'Access control', checks: [], concerns: ['access-control', 'least-privilege', 'isolation', 'secrets', 'network-segmentation'] },
    { id: '164.312(b)', title: 'Audit controls', checks: [], concerns: ['audit-logging'] },
    { id: '164.312(c)(1)', title: 'Integrity', checks: [], concerns: ['config-integrity', 'image-integrity'] },
    { id: '164.312(d)', title: 'Person or entity authentication', checks: [], concerns: ['access-control'] },
    { id: '164.312(e)(1)', title: 'Transmission security', checks: [], concerns: ['secure-transport'] },
  ],
} satisfies Framework;
