// Child process for kill.test.ts: appends forever with `inFlight` appends outstanding and
// prints `acked <i>` the moment append(i) (object `<prefix>-<i>`) resolves, until the parent SIGKILLs it.
import { openAuditLog } from '../log.js';
import { entry } from './fixtures.js';

const [dir, inFlightArg, prefix] = process.argv.slice(2);
const log = await openAuditLog(dir as string, {});
const inFlight = Number(inFlightArg ?? '1');
let next = 1;
async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    await log.append(entry(i, { object: `${prefix}-${i}` }));
    process.stdout.write(`acked ${i}\n`);
  }
}
process.stdout.write('ready\n');
await Promise.all(Array.from({ length: inFlight }, worker));
