import { explainFailure } from '../tofu/explain-failure.js';
import { renderEventLine } from './apply-events.js';

/** One of tofu's diagnostics ("Error: <summary>" and its detail), as a person would read it. */
export interface TofuDiagnostic {
  severity: 'error' | 'warning';
  /** tofu's one-line summary: "Resource precondition failed". */
  summary: string;
  /** The explanation under it, wrapped lines joined; paragraphs separated by a blank line. */
  detail: string;
  /** The resource it is about, when tofu names one ("with module.this.x," or the JSON `address`). */
  address: string | undefined;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const HEADER = /^(Error|Warning): (.*)$/;
// The source context tofu prints between the summary and the detail: where, which resource, the code and values.
const CONTEXT = [
  /^\s+on \S.* line \d+(, in .*)?:$/,
  /^\s+\d+:( |$)/,
  /^\s+├─+$/,
  /^\s+│ /,
  /^\s+\(source code not available\)$/,
];
const WITH = /^\s+with (.+),$/;

interface JsonDiagnosticEvent {
  type?: string;
  diagnostic?: { severity?: string; summary?: string; detail?: string; address?: string };
}

function jsonDiagnostic(line: string): TofuDiagnostic | undefined {
  if (!line.startsWith('{')) return undefined;
  let event: JsonDiagnosticEvent;
  try {
    event = JSON.parse(line) as JsonDiagnosticEvent;
  } catch {
    return undefined;
  }
  const d = event.diagnostic;
  if (event.type !== 'diagnostic' || !d || typeof d.summary !== 'string') return undefined;
  return {
    severity: d.severity === 'warning' ? 'warning' : 'error',
    summary: d.summary.trim(),
    detail: joinWrapped((d.detail ?? '').split('\n')),
    address: d.address,
  };
}

/** Joins the lines tofu wrapped at 78 columns back into paragraphs; indented lines (lists) stay on their own. */
function joinWrapped(lines: readonly string[]): string {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else if (/^\s/.test(line) && current.length > 0) {
      current.push(`\n${line.trim()}`);
    } else current.push(line.trim());
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs
    .map((p) => p.join(' ').replace(/ \n/g, '\n'))
    .join('\n\n')
    .trim();
}

/**
 * Reads tofu's diagnostics out of a command's output: `-json` diagnostic events, or the human form (with or
 * without colours, boxed in │ ╷ ╵ or not). The source context (file and line, code, values) is left out: it
 * stays in the log.
 */
export function parseDiagnostics(lines: readonly string[]): TofuDiagnostic[] {
  const found: TofuDiagnostic[] = [];
  let open: { diagnostic: TofuDiagnostic; body: string[]; boxed: boolean } | undefined;
  const close = () => {
    if (!open) return;
    open.diagnostic.detail = joinWrapped(open.body);
    found.push(open.diagnostic);
    open = undefined;
  };
  for (const raw of lines) {
    const json = jsonDiagnostic(raw);
    if (json) {
      close();
      found.push(json);
      continue;
    }
    const plain = raw.replace(ANSI, '').replace(/\s+$/, '');
    // A box starts (╷) and ends (╵) a diagnostic; its lines start with │.
    if (/^[╷╵]$/.test(plain)) {
      close();
      continue;
    }
    const boxed = plain.startsWith('│');
    const line = boxed ? plain.replace(/^│ ?/, '') : plain;
    const header = HEADER.exec(line);
    if (header) {
      close();
      open = {
        diagnostic: {
          severity: header[1] === 'Warning' ? 'warning' : 'error',
          summary: (header[2] as string).trim(),
          detail: '',
          address: undefined,
        },
        body: [],
        boxed,
      };
      continue;
    }
    if (!open) continue;
    // A boxed diagnostic ends with its box: an unboxed line after it is something else.
    if (open.boxed && !boxed) {
      close();
      continue;
    }
    const address = WITH.exec(line);
    if (address && open.body.every((l) => l.trim() === '')) {
      open.diagnostic.address = address[1];
      continue;
    }
    if (CONTEXT.some((pattern) => pattern.test(line))) continue;
    open.body.push(line);
  }
  close();
  return found;
}

/** The longest a message's explanation gets before it is cut at a sentence; the rest is in the log. */
const MAX_EXPLANATION = 300;

/** The first paragraph of a detail, cut at a sentence end when it runs long. */
function firstParagraph(detail: string): string {
  const paragraph = (detail.split('\n\n')[0] ?? '').replace(/\n/g, ' ').trim();
  if (paragraph.length <= MAX_EXPLANATION) return paragraph;
  const sentences = paragraph.split(/(?<=[.;!?])\s+/);
  let text = sentences[0] as string;
  for (const sentence of sentences.slice(1)) {
    if (text.length + sentence.length + 1 > MAX_EXPLANATION) break;
    text = `${text} ${sentence}`;
  }
  return text.length <= MAX_EXPLANATION ? text : `${text.slice(0, MAX_EXPLANATION - 1).trimEnd()}…`;
}

const withStop = (text: string) => (/[.!?…]$/.test(text) ? text : `${text.replace(/[;,:]$/, '')}.`);

// Failures whose detail is the module author's message for users (`error_message`): it speaks for itself.
const AUTHORED =
  /^(Resource (pre|post)condition failed|Check block assertion failed|Invalid value for (input )?variable)$/i;

/** "Error acquiring the state lock": who holds it and since when, and how it is released. */
function describeLock(diagnostic: TofuDiagnostic): string | undefined {
  if (!/acquiring the state lock/i.test(diagnostic.summary)) return undefined;
  const field = (name: string) =>
    new RegExp(`^\\s*${name}:\\s*(.*\\S)\\s*$`, 'm').exec(diagnostic.detail)?.[1];
  const id = field('ID');
  const operation = field('Operation')
    ?.replace(/^OperationType/, '')
    .toLowerCase();
  const held = [
    operation && `${/^[aeiou]/.test(operation) ? 'an' : 'a'} ${operation}`,
    field('Who') && `by ${field('Who')}`,
    field('Created') && `since ${field('Created')?.replace(/\.\d+/, '')}`,
  ]
    .filter(Boolean)
    .join(' ');
  return `The state lock is held by another run${held ? ` (${held})` : ''}: wait for it to end and try again; if no run is going, release it with a force-unlock${id ? ` of lock ${id}` : ''}.`;
}

/**
 * One diagnostic in one sentence: the module author's message as it is, else tofu's summary and the first
 * paragraph of its detail. Never the source lines or the box-drawing.
 */
export function describeDiagnostic(diagnostic: TofuDiagnostic): string {
  const lock = describeLock(diagnostic);
  if (lock) return lock;
  if (/decryption failed for all provided methods/.test(`${diagnostic.summary} ${diagnostic.detail}`)) {
    return 'The state could not be decrypted with SPAWNIT_STATE_PASSPHRASE: set the passphrase it was written with (as SPAWNIT_STATE_PASSPHRASE_PREVIOUS during a rotation).';
  }
  const explanation = firstParagraph(diagnostic.detail);
  if (!explanation) return withStop(diagnostic.summary);
  if (AUTHORED.test(diagnostic.summary)) return withStop(explanation);
  return withStop(`${diagnostic.summary.replace(/[.:]$/, '')}: ${explanation}`);
}

/** The lines of a command's output that are neither blank nor tofu's chrome, for when no diagnostic was found. */
function meaningfulLines(lines: readonly string[]): string[] {
  return lines
    .map((l) => l.replace(ANSI, '').replace(/^[│╷╵]\s?/, ''))
    .filter((l) => !CONTEXT.some((pattern) => pattern.test(l)))
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Why a tofu command failed, for a person: a failure they can fix outside SpawnIt explained with what to do,
 * else tofu's first error in one sentence (with how many more there are), else its last lines. `redact` hides
 * secrets that JSON escaping kept whole in the raw lines. The raw output stays in the job's log.
 */
export function describeTofuFailure(
  lines: readonly string[],
  redact: (text: string) => string = (text) => text,
): string {
  const text = lines.flatMap(renderEventLine).map(redact);
  const explained = explainFailure(text);
  if (explained) return explained;
  const errors = parseDiagnostics(lines).filter((d) => d.severity === 'error');
  const first = errors[0];
  if (first) {
    const sentence = redact(describeDiagnostic(first));
    const more = errors.length - 1;
    if (more === 0) return sentence;
    return `${sentence.replace(/\.$/, '')} (and ${more === 1 ? 'one more error' : `${more} more errors`}, in the log).`;
  }
  const last = meaningfulLines(text).slice(-3);
  return last.length > 0 ? withStop(last.join(' ')) : 'tofu printed nothing; see the log.';
}
