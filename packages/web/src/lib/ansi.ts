// CSI and OSC sequences: colours, cursor moves and titles a terminal program may print.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The text without terminal escape sequences. */
export const stripAnsi = (text: string) => text.replace(ANSI, '');

/** A run of text and the styles it is drawn with, e.g. `{ text: 'Plan:', classes: 'ansi-bold' }`. */
export interface AnsiSegment {
  text: string;
  /** Space-separated class names (`ansi-bold`, `ansi-fg-green`...); empty for plain text. */
  classes: string;
}

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

interface Style {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  fg: string | undefined;
  bg: string | undefined;
}

const plain = (): Style => ({
  bold: false,
  dim: false,
  italic: false,
  underline: false,
  fg: undefined,
  bg: undefined,
});

/** Applies one SGR sequence's codes (`1;32`) to a style. Codes it does not know are left out. */
function applySgr(style: Style, params: string): Style {
  const next = { ...style };
  const codes = params === '' ? [0] : params.split(';').map(Number);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) Object.assign(next, plain());
    else if (code === 1) next.bold = true;
    else if (code === 2) next.dim = true;
    else if (code === 3) next.italic = true;
    else if (code === 4) next.underline = true;
    else if (code === 22) next.bold = next.dim = false;
    else if (code === 23) next.italic = false;
    else if (code === 24) next.underline = false;
    else if (code >= 30 && code <= 37) next.fg = COLOURS[code - 30];
    else if (code >= 90 && code <= 97) next.fg = `bright-${COLOURS[code - 90]}`;
    else if (code === 39) next.fg = undefined;
    else if (code >= 40 && code <= 47) next.bg = COLOURS[code - 40];
    else if (code === 49) next.bg = undefined;
    // 256-colour and true-colour forms carry their arguments: skip them.
    else if (code === 38 || code === 48) i += codes[i + 1] === 5 ? 2 : 4;
  }
  return next;
}

function classesOf(style: Style): string {
  return [
    style.bold && 'ansi-bold',
    style.dim && 'ansi-dim',
    style.italic && 'ansi-italic',
    style.underline && 'ansi-underline',
    style.fg && `ansi-fg-${style.fg}`,
    style.bg && `ansi-bg-${style.bg}`,
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Splits a line with ANSI colour codes into styled runs of text, for the page to draw as spans (the text is
 * set as text, never as HTML). Every other escape sequence is dropped.
 */
export function parseAnsi(line: string): AnsiSegment[] {
  const segments: AnsiSegment[] = [];
  let style = plain();
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const classes = classesOf(style);
    const previous = segments.at(-1);
    if (previous && previous.classes === classes) previous.text += text;
    else segments.push({ text, classes });
  };
  for (const match of line.matchAll(ANSI)) {
    push(line.slice(last, match.index));
    last = match.index + match[0].length;
    const sgr = /^\u001b\[([0-9;]*)m$/.exec(match[0]);
    if (sgr) style = applySgr(style, sgr[1]!);
  }
  push(line.slice(last));
  return segments;
}
