/**
 * Keyword arguments → positions. Celery callers (Python especially) may send `kwargs={'y': 5}`; a JS task
 * function only has positions. The parameter names come from `TaskOptions.params`, or are read from the
 * function's source text (`fn.toString()`, never evaluated).
 */
import { QError } from '../errors/q-error.js';

/** What is known about a function's parameters. */
export interface ParamSpec {
  /** Names in order; `null` for a destructured parameter (only positional). */
  readonly names: readonly (string | null)[];
  /** Parameters that must be given (before the first default or rest parameter). */
  readonly required: number;
  /** The last parameter is a rest parameter (`...args`). */
  readonly rest: boolean;
}

/** Reads parameter names from a function's source text. `skip` drops leading ones (the bound context). */
export function parseParams(fn: (...args: never[]) => unknown, skip = 0): ParamSpec {
  const list = splitTopLevel(paramListOf(stripComments(fn.toString())));
  let rest = false;
  const names = list.map((raw, i) => {
    const p = raw.trim();
    if (p.startsWith('...')) {
      if (i === list.length - 1) rest = true;
      return null;
    }
    const m = /^([A-Za-z_$][\w$]*)/.exec(p);
    return m?.[1] ?? null;
  });
  const kept = names.slice(skip);
  if (rest) kept.pop();
  return { names: kept, required: Math.max(0, Math.min(fn.length - skip, kept.length)), rest };
}

/** A spec from declared names (the function's `length` still gives the required count). */
export function declaredParams(names: readonly string[], fn: (...args: never[]) => unknown, skip = 0): ParamSpec {
  return { names: [...names], required: Math.max(0, Math.min(fn.length - skip, names.length)), rest: false };
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** The text between the parameter list's parentheses (or a lone arrow parameter). */
function paramListOf(src: string): string {
  const text = src.trim().replace(/^async\s+/, '');
  const arrow = /^([A-Za-z_$][\w$]*)\s*=>/.exec(text);
  if (arrow) return arrow[1] ?? '';
  const open = text.indexOf('(');
  if (open < 0) return '';
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return '';
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(list.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * Maps `args` and `kwargs` onto the positions of `spec`, as Python binds a call:
 * - positional `args` come first; each keyword goes to the position of the parameter with that name;
 * - a keyword naming a parameter already given positionally → `Q_ERR_TASK_ARGUMENTS` ("multiple values");
 * - a keyword that names no parameter → `Q_ERR_TASK_ARGUMENTS`, unless `acceptsKwargs`: then every such
 *   keyword is collected into one object passed as the **last declared parameter** (Python's `**kwargs`);
 * - a required parameter (before the first default) given neither way → `Q_ERR_TASK_ARGUMENTS`;
 * - optional parameters left out are passed as `undefined`, so JS default values apply.
 */
export function bindArguments(
  taskName: string,
  spec: ParamSpec,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  acceptsKwargs: boolean,
): unknown[] {
  // The usual call (positions only, every required one given) binds to its args as they are.
  if (!acceptsKwargs && args.length >= Math.min(spec.required, spec.names.length) && Object.keys(kwargs).length === 0) return [...args];
  const names = acceptsKwargs ? spec.names.slice(0, -1) : spec.names;
  const out: unknown[] = [...args];
  const given = new Set<number>(args.map((_, i) => i));
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    const index = names.indexOf(key);
    if (index < 0) {
      if (acceptsKwargs) {
        extra[key] = value;
        continue;
      }
      throw argumentError(taskName, `got an unexpected keyword argument '${key}'`);
    }
    if (given.has(index)) throw argumentError(taskName, `got multiple values for argument '${key}'`);
    out[index] = value;
    given.add(index);
  }
  const missing: string[] = [];
  for (let i = 0; i < Math.min(spec.required, names.length); i++) {
    if (!given.has(i)) missing.push(`'${names[i] ?? `#${i}`}'`);
  }
  if (missing.length > 0) {
    // Python's wording: `missing 2 required positional arguments: 'x' and 'y'` ('x', 'y', and 'z' for three).
    const s = missing.length === 1 ? '' : 's';
    const last = missing.pop() as string;
    const names = missing.length === 0 ? last : `${missing.join(', ')}${missing.length > 1 ? ',' : ''} and ${last}`;
    throw argumentError(taskName, `missing ${missing.length + 1} required positional argument${s}: ${names}`);
  }
  if (acceptsKwargs) {
    while (out.length < names.length) out.push(undefined);
    out.push(extra);
  }
  return out;
}

function argumentError(taskName: string, detail: string): QError {
  return new QError('Q_ERR_TASK_ARGUMENTS', `${taskName}() ${detail}`);
}
