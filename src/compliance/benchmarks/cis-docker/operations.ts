import { pass, skip, warn } from '../../outcome.js';
import type { Check } from '../../types.js';
import { cisCheck } from './cis.js';

/** CIS Docker section 6 "Docker Security Operations": sprawl counts from the Engine API. */
export const CIS_DOCKER_OPERATIONS: readonly Check<'daemon'>[] = [
  cisCheck('6.1', 'daemon', { title: 'Image sprawl is avoided', description: 'Unused and untagged images pile up stale, unpatched software nobody tracks.', severity: 'low', remediation: 'Remove unused images regularly (docker image prune -a, or portcullis sprawl rules).', concerns: ['inventory', 'vulnerability-management'] }, (d) => {
    if (!d.inventory.known) return skip(`images cannot be listed: ${d.inventory.reason}`);
    const { images } = d.inventory.value;
    const unused = images.filter((i) => !i.inUse);
    const dangling = images.filter((i) => i.dangling);
    const ev = [{ subject: d.endpoint, field: 'images', value: `${images.length} images, ${unused.length} unused, ${dangling.length} untagged`, message: `${unused.length} of ${images.length} images are used by no container` }];
    return unused.length > 0 ? warn(`${unused.length} images are not used by any container`, ev) : pass(ev);
  }),
  cisCheck('6.2', 'daemon', { title: 'Container sprawl is avoided', description: 'Stopped containers keep their writable layers, volumes and configuration around.', severity: 'low', remediation: 'Remove stopped containers (docker container prune) or run with --rm.', concerns: ['inventory'] }, (d) => {
    if (!d.inventory.known) return skip(`containers cannot be listed: ${d.inventory.reason}`);
    const { containers } = d.inventory.value;
    const stopped = containers.filter((c) => c.state !== 'running' && c.state !== 'paused');
    const ev = [{ subject: d.endpoint, field: 'containers', value: `${containers.length} containers, ${stopped.length} not running`, message: `${containers.length - stopped.length} of ${containers.length} containers are running` }];
    return stopped.length > 0 ? warn(`${stopped.length} containers are not running`, ev) : pass(ev);
  }),
];
