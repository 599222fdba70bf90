import { createHash } from 'node:crypto';
import { Readable, pipeline } from 'node:stream';
import tar from 'tar-stream';
import { PortcullisError } from '../../core/errors.js';
import { cleanMemberName } from '../archive/tar-index.js';

/**
 * Sequential walk over a `docker save` stream (`GET /images/{name}/get`): the daemon's
 * export cannot be seeked, so each member is handled as it passes by.
 */
export interface ExportMember {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  /** A Node stream of the member's bytes; whatever the handler leaves unread is drained. */
  readonly body: Readable;
}

/** `false` from the handler ends the walk early (the rest of the export is discarded). */
export type MemberHandler = (member: ExportMember) => Promise<boolean | undefined>;

export async function walkExport(source: Readable, reference: string, handle: MemberHandler): Promise<void> {
  const extract = tar.extract();
  // When the daemon's stream breaks, whatever the visitor then throws is a consequence: the
  // daemon is the cause to report.
  let sourceError: Error | undefined;
  source.once('error', (err: Error) => {
    sourceError ??= err;
  });
  pipeline(source, extract, () => {});
  // The handler's own failures (a visitor's error) pass through untouched; only failures of
  // the export stream itself become DAEMON_ERROR.
  let handlerError: { err: unknown } | undefined;
  try {
    for await (const entry of extract) {
      // tar-stream hands out streamx streams; give handlers a plain Node Readable.
      const body = Readable.from(entry);
      const h = entry.header;
      let goOn: boolean | undefined;
      try {
        goOn = await handle({ name: cleanMemberName(h.name), type: h.type ?? 'file', size: h.size ?? 0, body });
      } catch (err) {
        handlerError = { err };
        throw err;
      }
      if (goOn === false) {
        body.destroy();
        return;
      }
      body.resume();
      await new Promise<void>((resolve) => {
        if (body.readableEnded || body.destroyed) return resolve();
        body.once('end', resolve);
        body.once('close', resolve);
      });
    }
  } catch (err) {
    if (sourceError) throw new PortcullisError('DAEMON_ERROR', `the Docker daemon's image export broke off: ${sourceError.message}`, { reference }, { cause: sourceError });
    if (handlerError || err instanceof PortcullisError) throw err;
    throw new PortcullisError('DAEMON_ERROR', `the Docker daemon's image export is not a valid tar: ${(err as Error).message}`, { reference }, { cause: err });
  } finally {
    extract.destroy();
    source.destroy();
  }
}

/** Reads a whole member, at most `cap` bytes (DAEMON_ERROR beyond). */
export async function collect(member: ExportMember, cap: number, reference: string): Promise<Buffer> {
  if (member.size > cap) throw new PortcullisError('DAEMON_ERROR', `export member ${member.name} is larger than ${cap} bytes`, { reference, entry: member.name });
  const chunks: Buffer[] = [];
  for await (const chunk of member.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** sha256 of a member's bytes, streamed. */
export async function hashMember(member: ExportMember): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of member.body as AsyncIterable<Buffer>) hash.update(chunk);
  return `sha256:${hash.digest('hex')}`;
}
