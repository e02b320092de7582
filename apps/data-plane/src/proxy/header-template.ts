/** A variable a transformation header value may use: `${requestId}` (the trace id), `${latencyMs}` (responses). */
export type TemplateVariable = 'requestId' | 'latencyMs';

const VARIABLE = /\$\{(requestId|latencyMs)\}/g;

/**
 * A header value compiled once per snapshot: literal text between variables. A value without variables is kept as
 * one string and costs nothing to render.
 */
export interface HeaderTemplate {
  /** The value itself when it has no variables. */
  readonly literal: string | undefined;
  /** Text around the variables: `parts.length === variables.length + 1`. */
  readonly parts: readonly string[];
  readonly variables: readonly TemplateVariable[];
}

export function compileHeaderTemplate(value: string): HeaderTemplate {
  const parts: string[] = [];
  const variables: TemplateVariable[] = [];
  let last = 0;
  for (const match of value.matchAll(VARIABLE)) {
    parts.push(value.slice(last, match.index));
    variables.push(match[1] as TemplateVariable);
    last = match.index + match[0].length;
  }
  parts.push(value.slice(last));
  return Object.freeze({
    literal: variables.length === 0 ? value : undefined,
    parts: Object.freeze(parts),
    variables: Object.freeze(variables),
  });
}

/** The header value for one request; `latencyMs` is the time to the backend's response headers (0 on requests). */
export function renderHeaderTemplate(template: HeaderTemplate, requestId: string, latencyMs: number): string {
  if (template.literal !== undefined) return template.literal;
  const { parts, variables } = template;
  let out = parts[0] as string;
  for (let index = 0; index < variables.length; index++) {
    out += (variables[index] === 'requestId' ? requestId : String(latencyMs)) + (parts[index + 1] as string);
  }
  return out;
}
