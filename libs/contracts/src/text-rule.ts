/**
 * What text the system accepts, in one place (docs/security.md "Bad input"). PostgreSQL's text
 * cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form (it would be stored as U+FFFD);
 * other control characters have no business in a name, a key or a chat line and would only reach
 * an operator's screen as invisible bytes. Tab, line feed and carriage return are allowed in
 * free text (a message), nowhere else.
 */
export type TextKind = 'line' | 'multiline';

// C0 controls, DEL and C1 controls; the multiline set keeps \t \n \r. Matching them is the point here.
/* eslint-disable no-control-regex */
const LINE_CONTROLS = /[\u0000-\u001f\u007f-\u009f]/;
const MULTILINE_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why this text cannot be accepted (without quoting it), or undefined when it can. */
export function textFault(text: string, kind: TextKind = 'line'): string | undefined {
  const control = (kind === 'multiline' ? MULTILINE_CONTROLS : LINE_CONTROLS).exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    return code === 0 ? 'holds a NUL character' : `holds the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return LONE_SURROGATE.test(text) ? 'holds a lone surrogate (not valid Unicode)' : undefined;
}

export const isAcceptedText = (text: string, kind: TextKind = 'line') => textFault(text, kind) === undefined;
