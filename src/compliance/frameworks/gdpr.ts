import type { Framework } from './schema.js';

/**
 * GDPR (Regulation (EU) 2016/679) articles on technical measures: Art. 25 (data protection by
 * design and by default) and Art. 32 (security of processing). https://eur-lex.europa.eu/eli/reg/2016/679/oj
 */
export const GDPR = {
  id: 'gdpr',
  version: '2016/679',
  title: 'GDPR Articles 25 and 32 (technical measures)',
  url: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj',
  controls: [
    { id: 'Art. 25(1)', title: 'Data protection by design: appropriate technical measures', checks: [], concerns: ['least-privilege', 'attack-surface', 'secrets', 'runtime-hardening'] },
    { id: 'Art. 25(2)', title: 'Data protection by default: access limited to what is necessary', checks: [], concerns: ['access-control', 'isolation'] },
    { id: 'Art. 32(1)(a)', title: 'Encryption of personal data', checks: [], concerns: ['secure-transport'] },
    { id: 'Art. 32(1)(b)', title: 'Ongoing confidentiality, integrity, availability and resilience of systems', checks: [], concerns: ['isolation', 'network-segmentation', 'config-integrity', 'image-integrity', 'resource-limits', 'least-privilege'] },
    { id: 'Art. 32(1)(c)', title: 'Ability to restore availability in a timely manner', checks: [], concerns: ['availability'] },
    { id: 'Art. 32(1)(d)', title: 'Regular testing and evaluation of the effectiveness of measures', checks: [], concerns: ['vulnerability-management', 'audit-logging', 'inventory'] },
  ],
} satisfies Framework;
