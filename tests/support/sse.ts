/** One event of a `text/event-stream` body: its `event:` and `data:` fields. */
export interface SseEvent {
  event: string | undefined;
  data: string | undefined;
}

/** The events of a `text/event-stream` body as they arrive, one per block ended by a blank line. */
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      yield { event: /^event: (.*)$/m.exec(block)?.[1], data: /^data: ?(.*)$/m.exec(block)?.[1] };
    }
  }
}
