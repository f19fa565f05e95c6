/**
 * A parser for HCL type constraints (`string`, `list(number)`, `object({ a = string, b = optional(number, 5) })`),
 * which hcl2json hands over as source text. It keeps what the checks need: the shape, which object attributes
 * are optional, and the source text of their defaults.
 */

export type HclType =
  | { kind: 'string' | 'number' | 'bool' | 'any' }
  | { kind: 'list' | 'set' | 'map'; element: HclType }
  | { kind: 'tuple'; elements: HclType[] }
  | { kind: 'object'; attributes: Record<string, ObjectAttribute> };

export interface ObjectAttribute {
  type: HclType;
  optional: boolean;
  /** Source text of the default given to `optional(type, default)`, if any. */
  defaultSource?: string;
  /** A `# comment` (or `//`) after the attribute on the same line: its description for docs. */
  comment?: string;
}

export class TypeExpressionError extends Error {
  override name = 'TypeExpressionError';
}

const PRIMITIVES = new Set(['string', 'number', 'bool', 'any']);
const COLLECTIONS = new Set(['list', 'set', 'map']);

/** `"${object({...})}"` (how hcl2json writes an expression) → `object({...})`; other text is returned as is. */
export function unwrapInterpolation(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('${') && trimmed.endsWith('}')) return trimmed.slice(2, -1).trim();
  return trimmed;
}

class Cursor {
  position = 0;
  constructor(readonly source: string) {}

  fail(message: string): never {
    const around = this.source.slice(Math.max(0, this.position - 20), this.position + 20);
    throw new TypeExpressionError(`${message} at offset ${this.position} (near ${JSON.stringify(around)})`);
  }

  /** Skips spaces, newlines and comments (`#`, `//`, `/* *\/`). */
  skipSpace(): void {
    for (;;) {
      const rest = this.source.slice(this.position);
      const space = /^\s+/.exec(rest);
      if (space) {
        this.position += space[0].length;
        continue;
      }
      if (rest.startsWith('#') || rest.startsWith('//')) {
        const end = rest.indexOf('\n');
        this.position += end === -1 ? rest.length : end + 1;
        continue;
      }
      if (rest.startsWith('/*')) {
        const end = rest.indexOf('*/');
        if (end === -1) this.fail('Unterminated comment');
        this.position += end + 2;
        continue;
      }
      return;
    }
  }

  peek(): string {
    this.skipSpace();
    return this.source[this.position] ?? '';
  }

  accept(char: string): boolean {
    if (this.peek() !== char) return false;
    this.position += 1;
    return true;
  }

  expect(char: string): void {
    if (!this.accept(char)) this.fail(`Expected "${char}"`);
  }

  /** A `#` or `//` comment between here and the end of the line (after an optional comma), if any. */
  trailingComment(): string | undefined {
    const match = /^[ \t]*,?[ \t]*(#|\/\/)[ \t]*(.*)/.exec(this.source.slice(this.position));
    return match?.[2]?.trim() || undefined;
  }

  identifier(): string {
    this.skipSpace();
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.source.slice(this.position));
    if (!match) this.fail('Expected a name');
    this.position += match[0].length;
    return match[0];
  }

  /** Source text of an expression, up to the `)` that closes the enclosing call (strings and brackets skipped). */
  expressionUntilClose(): string {
    this.skipSpace();
    const start = this.position;
    let depth = 0;
    while (this.position < this.source.length) {
      const char = this.source[this.position] as string;
      if (char === '"') {
        this.position += 1;
        while (this.position < this.source.length && this.source[this.position] !== '"') {
          this.position += this.source[this.position] === '\\' ? 2 : 1;
        }
      } else if (char === '(' || char === '[' || char === '{') {
        depth += 1;
      } else if (char === ')' || char === ']' || char === '}') {
        if (depth === 0) {
          if (char !== ')') this.fail(`Unexpected "${char}"`);
          const text = this.source.slice(start, this.position).trim();
          if (text === '') this.fail('Expected a default value');
          return text;
        }
        depth -= 1;
      }
      this.position += 1;
    }
    return this.fail('Unterminated optional(...)');
  }
}

function parseType(cursor: Cursor): HclType {
  const name = cursor.identifier();
  if (PRIMITIVES.has(name)) return { kind: name as 'string' | 'number' | 'bool' | 'any' };
  if (COLLECTIONS.has(name)) {
    cursor.expect('(');
    const element = parseType(cursor);
    cursor.expect(')');
    return { kind: name as 'list' | 'set' | 'map', element };
  }
  if (name === 'tuple') {
    cursor.expect('(');
    cursor.expect('[');
    const elements: HclType[] = [];
    while (cursor.peek() !== ']') {
      elements.push(parseType(cursor));
      if (!cursor.accept(',')) break;
    }
    cursor.expect(']');
    cursor.expect(')');
    return { kind: 'tuple', elements };
  }
  if (name === 'object') {
    cursor.expect('(');
    cursor.expect('{');
    const attributes: Record<string, ObjectAttribute> = {};
    while (cursor.peek() !== '}') {
      const attribute = cursor.identifier();
      if (attribute in attributes) cursor.fail(`Attribute "${attribute}" is declared twice`);
      if (!cursor.accept('=') && !cursor.accept(':')) cursor.fail(`Expected "=" after "${attribute}"`);
      const parsed = parseAttribute(cursor);
      const comment = cursor.trailingComment();
      attributes[attribute] = comment === undefined ? parsed : { ...parsed, comment };
      cursor.accept(',');
    }
    cursor.expect('}');
    cursor.expect(')');
    return { kind: 'object', attributes };
  }
  return cursor.fail(`Unknown type "${name}"`);
}

function parseAttribute(cursor: Cursor): ObjectAttribute {
  const start = cursor.position;
  const name = cursor.identifier();
  if (name !== 'optional') {
    cursor.position = start;
    return { type: parseType(cursor), optional: false };
  }
  cursor.expect('(');
  const type = parseType(cursor);
  let defaultSource: string | undefined;
  if (cursor.accept(',')) defaultSource = cursor.expressionUntilClose();
  cursor.expect(')');
  return defaultSource === undefined ? { type, optional: true } : { type, optional: true, defaultSource };
}

/** Parses a type constraint; throws a {@link TypeExpressionError} that says where it stopped. */
export function parseTypeExpression(source: string): HclType {
  const cursor = new Cursor(unwrapInterpolation(source));
  const type = parseType(cursor);
  if (cursor.peek() !== '') cursor.fail('Unexpected text after the type');
  return type;
}

/**
 * The value of a literal default (`5432`, `"app"`, `true`, `null`, `[]`, `{}`); `undefined` when the default is
 * an expression that needs evaluating.
 */
export function literalValue(source: string): unknown {
  const text = source.trim();
  if (text === '{}') return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Compact one-line form of a type, for error messages and docs. */
export function formatType(type: HclType): string {
  switch (type.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${type.kind}(${formatType(type.element)})`;
    case 'tuple':
      return `tuple([${type.elements.map(formatType).join(', ')}])`;
    case 'object':
      return `object({ ${Object.entries(type.attributes)
        .map(([name, a]) => {
          const inner = formatType(a.type);
          if (!a.optional) return `${name} = ${inner}`;
          return a.defaultSource === undefined
            ? `${name} = optional(${inner})`
            : `${name} = optional(${inner}, ${a.defaultSource})`;
        })
        .join(', ')} })`;
    default:
      return type.kind;
  }
}
