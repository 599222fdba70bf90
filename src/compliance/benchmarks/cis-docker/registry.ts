import type { Check, ManualCheck } from '../../types.js';
import { byNumbering } from '../define.js';
import { CIS_DOCKER_DAEMON } from './daemon.js';
import { CIS_DOCKER_FILES } from './files.js';
import { CIS_DOCKER_HOST } from './host.js';
import { CIS_DOCKER_IMAGES } from './images.js';
import { CIS_DOCKER_OPERATIONS } from './operations.js';
import { CIS_DOCKER_PRIVILEGES } from './runtime-privileges.js';
import { CIS_DOCKER_NAMESPACES } from './runtime-namespaces.js';
import { CIS_DOCKER_RESOURCES } from './runtime-resources.js';

/**
 * Every automated CIS Docker Benchmark v1.6.0 check, in the benchmark's order. The section
 * files are listed here explicitly; the order is the numbering (a test keeps it so).
 */
export const CIS_DOCKER_CHECKS: readonly Check[] = [
  ...CIS_DOCKER_HOST,
  ...CIS_DOCKER_DAEMON,
  ...CIS_DOCKER_FILES,
  ...CIS_DOCKER_IMAGES,
  ...CIS_DOCKER_PRIVILEGES,
  ...CIS_DOCKER_NAMESPACES,
  ...CIS_DOCKER_RESOURCES,
  ...CIS_DOCKER_OPERATIONS,
].sort(byNumbering);

const manual = (num: string, title: string, why: string): ManualCheck => ({ id: `cis-docker-${num}`, benchmark: 'cis-docker', title, why });

/** Recommendations that need a person, with the reason; documented, never evaluated. */
export const CIS_DOCKER_MANUAL: readonly ManualCheck[] = [
  manual('1.2.1', 'Ensure the container host has been hardened', 'host hardening is its own benchmark (CIS Linux); run that one'),
  manual('2.1', 'Run the Docker daemon as a non-root user, if possible', 'rootless mode changes what features work; a design decision'),
  manual('4.2', 'Ensure that containers use only trusted base images', 'trust is a policy decision: enforce it with Portcullis policies on registries and signatures'),
  manual('4.3', 'Ensure that unnecessary packages are not installed in the container', 'what is necessary depends on the application; review the SBOM (portcullis sbom)'),
  manual('4.4', 'Ensure images are scanned and rebuilt to include security patches', 'a process: run vulnerability scans in CI and on a schedule'),
  manual('4.11', 'Ensure only verified packages are installed', 'package signature verification happens inside the build'),
  manual('4.12', 'Ensure all signed artifacts are validated', 'signature policy: enforce it with Portcullis trust policies'),
  manual('5.9', 'Ensure that only needed ports are open on the container', 'which ports are needed depends on the application'),
  manual('5.19', 'Ensure that the default ulimit is overwritten at runtime if needed', 'whether an override is needed depends on the workload'),
  manual('5.23', 'Ensure that docker exec commands are not used with the privileged option', 'exec history is in the audit log, not in the container state (see the authz plugin audit)'),
  manual('5.24', 'Ensure that docker exec commands are not used with the user=root option', 'exec history is in the audit log, not in the container state (see the authz plugin audit)'),
  manual('5.28', 'Ensure that docker commands always make use of the latest version of their image', 'tag freshness needs the registry and the deployment history'),
];
