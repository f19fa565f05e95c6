/** How far an apply has come: resources done of those planned, read from `tofu apply -json` events. */
export interface JobProgress {
  /** Resources whose change is complete. */
  done: number;
  /** Resources the plan changes (its `planned_change` events). */
  total: number;
  /** Resources whose change failed (`apply_errored`). */
  failed: number;
}

interface UiEvent {
  '@message'?: string;
  type?: string;
  change?: { resource?: { addr?: string }; action?: string };
  hook?: { resource?: { addr?: string }; action?: string };
  diagnostic?: { detail?: string };
}

function parseEvent(line: string): UiEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const event = JSON.parse(line) as UiEvent;
    return typeof event['@message'] === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

/** tofu's own JSON puts `@message` right after `@level`; an event written otherwise takes the full parse. */
const MESSAGE = /^\{"@level":"[a-z]+","@message":"((?:[^"\\]|\\.)*)"/;

// A message may span lines ("\nInterrupt received.\nPlease wait..."): one log line each, no blank edges.
const splitMessage = (message: string) => message.replace(/^\n+|\n+$/g, '').split('\n');

/**
 * The lines a person reads for one line of `-json` output: the event's `@message`, and a diagnostic's
 * detail under it. A line that is not an event (a warning on stderr) stays as it is.
 */
export function renderEventLine(line: string): string[] {
  // Most events are read for their message alone (a provisioner's output, thousands of lines at a time):
  // that one string is decoded without parsing the whole event.
  if (line.startsWith('{') && !line.includes('"type":"diagnostic"')) {
    const message = MESSAGE.exec(line)?.[1];
    if (message !== undefined) return splitMessage(JSON.parse(`"${message}"`) as string);
  }
  const event = parseEvent(line);
  if (!event) return [line];
  const detail = event.type === 'diagnostic' ? event.diagnostic?.detail : undefined;
  const message = splitMessage(event['@message']!);
  return [...message, ...(detail ? detail.split('\n').map((l) => (l ? `  ${l}` : '')) : [])];
}

// The events the tracker counts; the others need no parse.
const COUNTED = /"type":"(planned_change|apply_complete|apply_errored)"/;

/**
 * Follows an apply's events: `planned_change` counts what is to change, `apply_complete` and
 * `apply_errored` what is done. A replacement is two steps (delete and create) and counts once both end.
 */
export function createProgressTracker() {
  const steps = new Map<string, number>();
  const completed = new Map<string, number>();
  let failed = 0;
  const progress = (): JobProgress => {
    let done = 0;
    for (const [addr, n] of completed) if (n >= (steps.get(addr) ?? 1)) done += 1;
    return { done, total: steps.size, failed };
  };
  return {
    /** Reads one output line; returns the new progress when it moved, `undefined` when not. */
    observe(line: string): JobProgress | undefined {
      // Most lines are other events (a provisioner's output): not parsed a second time after rendering.
      if (!COUNTED.test(line)) return undefined;
      const event = parseEvent(line);
      if (!event) return undefined;
      if (event.type === 'planned_change') {
        const addr = event.change?.resource?.addr;
        const action = event.change?.action;
        if (!addr || action === 'noop' || action === 'read') return undefined;
        steps.set(addr, action === 'replace' ? 2 : 1);
        return progress();
      }
      if (event.type === 'apply_complete' || event.type === 'apply_errored') {
        const addr = event.hook?.resource?.addr;
        if (!addr) return undefined;
        if (event.type === 'apply_errored') failed += 1;
        else completed.set(addr, (completed.get(addr) ?? 0) + 1);
        return progress();
      }
      return undefined;
    },
    progress,
  };
}
