/**
 * Lines of a text with 1-based numbers and a trailing `\r` removed, produced lazily with
 * indexOf/slice: the stanza formats (dpkg status, apk installed) split records on blank
 * lines, and hostile inputs can hold megabytes of them, so nothing is split up front.
 */
export function* textLines(text: string): Generator<readonly [line: string, lineNo: number]> {
  let lineNo = 0;
  let pos = 0;
  while (pos <= text.length) {
    lineNo++;
    if (text.charCodeAt(pos) === 10) {
      pos++;
      yield ['', lineNo];
      continue;
    }
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(pos, end);
    pos = end + 1;
    yield [line.endsWith('\r') ? line.slice(0, -1) : line, lineNo];
  }
}
