/** A metric an expression reads, and the `job` label its selector asks for (undefined: any job). */
export interface MetricUse {
  name: string;
  /** `job="x"` → exactly x; `job=~"re"` → the regular expression; absent → undefined. */
  job: { value: string; isRegex: boolean } | undefined;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);
/** Keywords followed by a parenthesised list of label names, not of expressions. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const TOKEN =
  /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\{[^}]*\}|\[[^\]]*\]|\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*|[A-Za-z_:][A-Za-z0-9_:]*|\$\{[^}]*\}|\$\w+|\S/g;

/**
 * The metrics a PromQL expression reads: every identifier that is not a function, keyword, label name or number,
 * with the `job` matcher of its selector. Grafana variables (`$__rate_interval`, `${var}`) are skipped.
 */
export function metricUsesIn(expr: string): MetricUse[] {
  const tokens = [...expr.replace(/#[^\n]*/g, ' ').matchAll(TOKEN)].map((match) => match[0]);
  const uses: MetricUse[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    if (token.startsWith('{')) {
      // A selector without a metric name before it: `{__name__="x"}`.
      const previous = tokens[index - 1];
      const named = /__name__\s*=\s*"([^"]+)"/.exec(token);
      if (named && !(previous && /^[A-Za-z_:]/.test(previous)))
        uses.push({ name: named[1] as string, job: jobOf(token) });
      continue;
    }
    if (!/^[A-Za-z_:]/.test(token)) continue;
    const next = tokens[index + 1];
    if (KEYWORDS.has(token.toLowerCase())) {
      if (LABEL_LIST_KEYWORDS.has(token.toLowerCase()) && next === '(') index = skipParentheses(tokens, index + 1);
      continue;
    }
    // A function, or an aggregation with its clause first: `sum by (le) (...)`.
    if (next === '(' || next?.toLowerCase() === 'by' || next?.toLowerCase() === 'without') continue;
    uses.push({ name: token, job: next?.startsWith('{') ? jobOf(next) : undefined });
  }
  return uses;
}

/** The metric names of `metricUsesIn`, once each. */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(metricUsesIn(expr).map((use) => use.name))];
}

/** A Grafana variable query: `label_values(selector, label)` reads the selector's metric; else PromQL. */
export function metricUsesInGrafanaQuery(query: string): MetricUse[] {
  const labelValues = /^\s*label_values\(\s*(.*?)\s*(?:,\s*[A-Za-z_]\w*\s*)?\)\s*$/s.exec(query);
  return metricUsesIn(labelValues ? (labelValues[1] as string) : query);
}

function jobOf(selector: string): MetricUse['job'] {
  const match = /\bjob\s*(=~|=)\s*"([^"]*)"/.exec(selector);
  return match ? { value: match[2] as string, isRegex: match[1] === '=~' } : undefined;
}

/** Index of the `)` closing the `(` at `open`. */
function skipParentheses(tokens: string[], open: number): number {
  let depth = 0;
  for (let index = open; index < tokens.length; index++) {
    if (tokens[index] === '(') depth++;
    else if (tokens[index] === ')' && --depth === 0) return index;
  }
  throw new Error(`unbalanced parentheses in PromQL: ${tokens.join(' ')}`);
}
