import type { Framework } from './schema.js';

/**
 * PCI DSS v4.0 requirements that container configuration evidences. Control ids are the
 * requirement numbers; titles are short paraphrases. https://www.pcisecuritystandards.org/
 */
export const PCI_DSS_4 = {
  id: 'pci-dss-4.0',
  version: '4.0',
  title: 'PCI DSS v4.0 (container-relevant requirements)',
  url: 'https://www.pcisecuritystandards.org/document_library/',
  controls: [
    { id: '1.3.1', title: 'Inbound traffic to the cardholder data environment is restricted', checks: [], concerns: ['network-segmentation'] },
    { id: '2.2.1', title: 'Configuration standards are developed, implemented and maintained', checks: [], concerns: ['runtime-hardening', 'config-integrity'] },
    { id: '2.2.4', title: 'Only necessary services, protocols, daemons and functions are enabled', checks: [], concerns: ['attack-surface'] },
    { id: '2.2.6', title: 'System security parameters are configured to prevent misuse', checks: [], concerns: ['runtime-hardening', 'isolation', 'resource-limits'] },
    { id: '2.2.7', title: 'Non-console administrative access is encrypted', checks: [], concerns: ['secure-transport'] },
    { id: '4.2.1', title: 'Strong cryptography protects data in transmission', checks: [], concerns: ['secure-transport'] },
    { id: '6.3.3', title: 'Security patches are installed', checks: [], concerns: ['vulnerability-management'] },
    { id: '7.2.1', title: 'An access control model is defined', checks: [], concerns: ['access-control'] },
    { id: '7.2.2', title: 'Access is assigned on least privileges', checks: [], concerns: ['least-privilege'] },
    { id: '8.6.2', title: 'Passwords for system accounts are not hard-coded in scripts or configuration files', checks: [], concerns: ['secrets'] },
    { id: '10.2.1', title: 'Audit logs are enabled and active', checks: [], concerns: ['audit-logging'] },
    { id: '10.3.3', title: 'Audit log files are promptly backed up to a central log server', checks: ['cis-docker-2.13'], concerns: [] },
    { id: '11.5.2', title: 'A change-detection mechanism alerts on unauthorized modification of critical files', checks: [], concerns: ['config-integrity', 'image-integrity'] },
    { id: '12.5.1', title: 'An inventory of system components in scope is maintained', checks: [], concerns: ['inventory'] },
    { id: '12.10.1', title: 'An incident response plan exists (availability and recovery of services)', checks: [], concerns: ['availability'] },
  ],
} satisfies Framework;
