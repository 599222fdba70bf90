/**
 * Escaping for the text formats the CI reporters write. Package names, versions, paths and
 * advisory ids come from the scanned image and from feeds: any of them can hold quotes, `<`,
 * `&`, pipes, newlines or control characters, and none may change the structure around them.
 */

/**
 * Characters XML 1.0 cannot carry at all, not even as character references
 * (https://www.w3.org/TR/xml/#charsets): C0 controls except tab/LF/CR, U+FFFE/U+FFFF and
 * unpaired surrogates. They become U+FFFD so the document stays well-formed.
 */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Element content. `>` is escaped too so `]]>` can never appear. */
export function xmlText(s: string): string {
  return s.replace(XML_INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Attribute values in double quotes. Tab, CR and LF become spaces: a conforming parser would
 * turn them into spaces anyway (attribute-value normalization,
 * https://www.w3.org/TR/xml/#AVNormalize), and character references for them are not decoded
 * by every JUnit consumer (test-results-parser shows `&#10;` verbatim).
 */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/[\t\n\r]/g, ' ');
}

/** C0/C1 controls other than tab and newline; they have no business in Markdown or logs. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * Inline Markdown text (GitHub Flavored Markdown, https://github.github.com/gfm/): one line,
 * every character with Markdown or HTML meaning backslash-escaped (CommonMark allows a
 * backslash before any ASCII punctuation), so a package named `<img …>` or `a|b` or
 * `[x](javascript:…)` prints as itself and cannot end a table cell.
 */
export function markdownInline(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(CONTROL, '')
    .replace(/[\\`*_[\]<>#+!|~&]/g, (c) => `\\${c}`);
}

/** Text inside a Markdown code span: backticks cannot be escaped there, so they are replaced. */
export function markdownCode(s: string): string {
  const clean = s.replace(/\r\n|\r|\n/g, ' ').replace(CONTROL, '').replace(/`/g, 'ˋ').replace(/\|/g, '\\|');
  return `\`${clean}\``;
}

/**
 * Data of a GitHub Actions workflow command (`::error …::DATA`), as the runner decodes it
 * (actions/toolkit `escapeData`): `%`, CR and LF percent-encoded, so a newline in a package
 * name cannot start a second command.
 */
export function workflowData(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command property value (`file=…,title=…`): also `:` and `,` (actions/toolkit `escapeProperty`). */
export function workflowProperty(s: string): string {
  return workflowData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
