import * as ts from 'typescript';

const PARSE_METHODS = new Set(['parse', 'safeParse', 'parseAsync', 'safeParseAsync']);

/**
 * The environment variables a TypeScript source reads from `env` (a parameter or variable of that name) or
 * `process.env`: `env.NAME`, `env['NAME']`, `const { NAME } = env`, the keys of a zod object schema that is parsed
 * from the environment (`const schema = z.object({ NAME: … }); schema.safeParse(env)`), and the names given to a local
 * accessor that reads `env[name]` (`value('NAME')`, or a constant choosing between names). A CONST_CASE string used
 * any other way (a constant, a message, a key of another object) is not a read.
 */
export function envVarsReadIn(source: string): Set<string> {
  const file = ts.createSourceFile('config.ts', source, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const schemas = new Map<string, ts.ObjectLiteralExpression>();
  const schemasParsedFromEnv = new Set<string>();
  const accessors = new Set<string>();
  const accessorCalls: ts.CallExpression[] = [];
  const constants = new Map<string, ts.Expression[]>();

  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isEnv(node.expression)) names.add(node.name.text);
    if (ts.isElementAccessExpression(node) && isEnv(node.expression) && isStringLiteral(node.argumentExpression)) {
      names.add(node.argumentExpression.text);
    }
    if (ts.isVariableDeclaration(node) && node.initializer) {
      if (ts.isObjectBindingPattern(node.name) && isEnv(node.initializer)) {
        for (const element of node.name.elements) {
          const key = element.propertyName ?? element.name;
          if (ts.isIdentifier(key) || isStringLiteral(key)) names.add(key.text);
        }
      }
      if (ts.isIdentifier(node.name)) {
        const name = node.name.text;
        if (ts.getCombinedNodeFlags(node) & ts.NodeFlags.Const) {
          constants.set(name, [...(constants.get(name) ?? []), node.initializer]);
        }
        const shape = zodObjectShape(node.initializer);
        if (shape) schemas.set(name, shape);
        if (isFunctionLike(node.initializer) && readsEnvByParameter(node.initializer)) accessors.add(name);
      }
    }
    if (ts.isFunctionDeclaration(node) && node.name && readsEnvByParameter(node)) accessors.add(node.name.text);
    if (ts.isCallExpression(node)) {
      const [firstArgument] = node.arguments;
      const callee = node.expression;
      if (
        ts.isPropertyAccessExpression(callee) &&
        PARSE_METHODS.has(callee.name.text) &&
        firstArgument &&
        isEnv(firstArgument)
      ) {
        const schema = rootIdentifier(callee.expression);
        if (schema) schemasParsedFromEnv.add(schema);
      }
      if (ts.isIdentifier(callee)) accessorCalls.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  for (const schema of schemasParsedFromEnv) {
    for (const property of schemas.get(schema)?.properties ?? []) {
      const key = property.name;
      if (key && (ts.isIdentifier(key) || isStringLiteral(key))) names.add(key.text);
    }
  }
  for (const call of accessorCalls) {
    const [argument] = call.arguments;
    if (argument && accessors.has((call.expression as ts.Identifier).text)) {
      for (const name of stringValues(argument, constants, new Set())) names.add(name);
    }
  }
  return names;
}

function isEnv(node: ts.Node): boolean {
  if (ts.isIdentifier(node)) return node.text === 'env';
  return (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'process' &&
    node.name.text === 'env'
  );
}

function isStringLiteral(node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

function isFunctionLike(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/** The object literal of `z.object({ … })`, also when the schema chains methods on it (`.strict()`, `.pick(…)`). */
function zodObjectShape(node: ts.Expression): ts.ObjectLiteralExpression | undefined {
  let current: ts.Expression = node;
  while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
    const [shape] = current.arguments;
    const { expression: receiver, name } = current.expression;
    if (name.text === 'object' && ts.isIdentifier(receiver) && receiver.text === 'z') {
      return shape && ts.isObjectLiteralExpression(shape) ? shape : undefined;
    }
    current = receiver;
  }
  return undefined;
}

/** `schema` of `schema.pick(…).safeParse(env)`. */
function rootIdentifier(node: ts.Expression): string | undefined {
  let current: ts.Expression = node;
  for (;;) {
    if (ts.isIdentifier(current)) return current.text;
    if (ts.isCallExpression(current) || ts.isPropertyAccessExpression(current)) current = current.expression;
    else return undefined;
  }
}

/** Whether a function reads `env[p]` with its first parameter `p`: calling it with a name reads that variable. */
function readsEnvByParameter(fn: ts.SignatureDeclaration & { body?: ts.Node }): boolean {
  const [parameter] = fn.parameters;
  if (!parameter || !ts.isIdentifier(parameter.name) || !fn.body) return false;
  const parameterName = parameter.name.text;
  let isRead = false;
  const visit = (node: ts.Node): void => {
    if (
      ts.isElementAccessExpression(node) &&
      isEnv(node.expression) &&
      ts.isIdentifier(node.argumentExpression) &&
      node.argumentExpression.text === parameterName
    ) {
      isRead = true;
    }
    if (!isRead) ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return isRead;
}

/** The strings an expression can be: a literal, either branch of `a ? b : c`, or a constant holding those. */
function stringValues(node: ts.Expression, constants: Map<string, ts.Expression[]>, seen: Set<string>): string[] {
  if (isStringLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return stringValues(node.expression, constants, seen);
  if (ts.isConditionalExpression(node)) {
    return [...stringValues(node.whenTrue, constants, seen), ...stringValues(node.whenFalse, constants, seen)];
  }
  if (ts.isIdentifier(node) && !seen.has(node.text)) {
    seen.add(node.text);
    return (constants.get(node.text) ?? []).flatMap((value) => stringValues(value, constants, seen));
  }
  return [];
}
