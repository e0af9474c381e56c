// The graded world: four families of programs a reader can name, and a classifier that
// tells which family a program's shape belongs to. The generator (core/corpus.ts) draws
// programs of a chosen level; the classifier reads any program — generated, hand-written or
// proposed by the policy — so a test can hold the generator to its word and a run can say
// which levels its proposer writes.
//
//   L0  one operation on one argument                     x + 3, s.length, xs[0]
//   L1  one expression: up to two operations, or one on   a + b, x * 2 + 1, xs.map((v) => v * 2)
//       two arguments
//   L2  statements: locals, `if`, at most one loop         const t = …; if (…) …; for (…) …
//   L3  anything else the grammar writes (nested loops, long expressions)
//
// What counts as one operation: a binary, logical or unary operator, a conditional, a
// property read (`s.length`, `xs[0]`), or a call (`s.slice(1)` and `Math.abs(x)` are one
// each: the member that names the method is part of the call). Spreading into a fresh array
// (`[...xs]`) only copies, and is not counted.
import { parse as parseJs } from 'acorn';
import type { Node } from 'acorn';

export type Level = 0 | 1 | 2 | 3;
export const LEVELS: readonly Level[] = [0, 1, 2, 3];

export const LEVEL_NAMES: Record<Level, string> = {
  0: 'one operation on one argument',
  1: 'one expression',
  2: 'statements',
  3: 'full grammar',
};

export function isLevel(x: unknown): x is Level {
  return x === 0 || x === 1 || x === 2 || x === 3;
}

/** What the classifier read off a program. */
export interface ProgramShape {
  params: number;
  /** Operations in the whole program (callbacks included). */
  operations: number;
  /** Statements in f's body other than its final `return` (locals, ifs, loops, updates). */
  statements: number;
  loops: number;
  /** The body is a single expression (an arrow's or one `return`). */
  singleExpression: boolean;
  /** The body reads one of f's parameters (or `arguments`): without that, f is a constant. */
  readsInput: boolean;
}

export class LevelError extends Error {
  override name = 'LevelError';
}

type AnyNode = Node & Record<string, unknown>;

function children(n: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'type' || k === 'start' || k === 'end' || k === 'loc' || k === 'range') continue;
    if (Array.isArray(v)) for (const c of v) if (c && typeof c === 'object' && typeof (c as AnyNode).type === 'string') out.push(c as AnyNode);
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as AnyNode).type === 'string') out.push(v as AnyNode);
  }
  return out;
}

function isLiteralNode(n: AnyNode): boolean {
  return n.type === 'Literal' || (n.type === 'UnaryExpression' && n.operator === '-' && (n.argument as AnyNode).type === 'Literal');
}

function countOps(n: AnyNode, calleeMember = false): number {
  let own = 0;
  switch (n.type) {
    case 'BinaryExpression':
    case 'LogicalExpression':
    case 'UnaryExpression':
    case 'UpdateExpression':
    case 'ConditionalExpression':
    case 'CallExpression':
    case 'NewExpression':
    case 'TemplateLiteral':
      own = n.type === 'TemplateLiteral' ? ((n.expressions as unknown[]).length > 0 ? 1 : 0) : 1;
      break;
    case 'AssignmentExpression':
      own = n.operator === '=' ? 0 : 1;
      break;
    case 'MemberExpression':
      own = calleeMember ? 0 : 1;
      break;
    case 'ArrayExpression': {
      // Building an array from values is an operation; `[...xs]` alone only copies, and a
      // list of literals is itself a literal.
      const els = (n.elements as (AnyNode | null)[]).filter((e): e is AnyNode => e !== null);
      const copy = els.length === 1 && els[0].type === 'SpreadElement';
      own = !copy && els.some((e) => !isLiteralNode(e)) ? 1 : 0;
      break;
    }
  }
  // A negative number written `-3` is a literal, not an operation.
  if (n.type === 'UnaryExpression' && n.operator === '-' && (n.argument as AnyNode).type === 'Literal') return 0;
  let sum = own;
  for (const c of children(n)) {
    const isCallee = (n.type === 'CallExpression' || n.type === 'NewExpression') && c === n.callee && c.type === 'MemberExpression';
    sum += countOps(c, isCallee);
  }
  return sum;
}

function countLoops(n: AnyNode): number {
  const own = /^(For|ForOf|ForIn|While|DoWhile)Statement$/.test(n.type) ? 1 : 0;
  return own + children(n).reduce((a, c) => a + countLoops(c), 0);
}

/** Names a parameter pattern binds: `x`, `x = 1`, `...xs`, `[a, b]`, `{ a, b: c }`. */
function boundNames(n: AnyNode | null): string[] {
  if (!n) return [];
  switch (n.type) {
    case 'Identifier':
      return [n.name as string];
    case 'AssignmentPattern':
      return boundNames(n.left as AnyNode);
    case 'RestElement':
      return boundNames(n.argument as AnyNode);
    case 'ArrayPattern':
      return (n.elements as (AnyNode | null)[]).flatMap(boundNames);
    case 'ObjectPattern':
      return (n.properties as AnyNode[]).flatMap((p) => boundNames((p.type === 'RestElement' ? p : p.value) as AnyNode));
    default:
      return [];
  }
}

/**
 * The names a program declares: every function's and arrow's parameters and every
 * `let`/`const`/`var` name (so `const f` too, but not `function f`'s own name). Empty for text
 * that does not parse.
 */
export function declaredNames(program: string): Set<string> {
  const out = new Set<string>();
  let ast: AnyNode;
  try {
    ast = parseJs(program, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AnyNode;
  } catch {
    return out;
  }
  const walk = (n: AnyNode): void => {
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') {
      for (const p of n.params as AnyNode[]) for (const name of boundNames(p)) out.add(name);
    }
    if (n.type === 'VariableDeclarator') for (const name of boundNames(n.id as AnyNode)) out.add(name);
    children(n).forEach(walk);
  };
  walk(ast);
  return out;
}

/** Whether `n` reads any of `names` as a variable (a property name `.x` or a key `{ x: 1 }` is not a read). */
function reads(n: AnyNode, names: ReadonlySet<string>): boolean {
  if (n.type === 'Identifier') return names.has(n.name as string);
  return children(n).some((c) => {
    if (n.type === 'MemberExpression' && c === n.property && !n.computed) return false;
    if (n.type === 'Property' && c === n.key && !n.computed && !n.shorthand) return false;
    return reads(c, names);
  });
}

/** The function a program names `f` (a declaration, or a `const`/`let`/`var` bound to one), the last if several; null if none. */
function functionF(ast: AnyNode): AnyNode | null {
  let fn: AnyNode | null = null;
  for (const st of ast.body as AnyNode[]) {
    if (st.type === 'FunctionDeclaration' && (st.id as AnyNode | null)?.name === 'f') fn = st;
    if (st.type === 'VariableDeclaration') {
      for (const d of st.declarations as AnyNode[]) {
        const init = d.init as AnyNode | null;
        if ((d.id as AnyNode).name === 'f' && init && (init.type === 'ArrowFunctionExpression' || init.type === 'FunctionExpression')) fn = init;
      }
    }
  }
  return fn;
}

/** The shape of the program's `f`; a program that does not parse or defines no `f` is a LevelError. */
export function programShape(program: string): ProgramShape {
  let ast: AnyNode;
  try {
    ast = parseJs(program, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AnyNode;
  } catch (e) {
    throw new LevelError(`the program does not parse: ${(e as Error).message}`);
  }
  const fn = functionF(ast);
  if (fn === null) throw new LevelError('the program defines no function f');
  const body = fn.body as AnyNode;
  const params = (fn.params as unknown[]).length;
  const readsInput = reads(body, new Set([...(fn.params as AnyNode[]).flatMap(boundNames), 'arguments']));
  if (body.type !== 'BlockStatement') {
    return { params, operations: countOps(body), statements: 0, loops: countLoops(body), singleExpression: true, readsInput };
  }
  const stmts = body.body as AnyNode[];
  const single = stmts.length === 1 && stmts[0].type === 'ReturnStatement';
  const last = stmts[stmts.length - 1];
  const statements = stmts.length - (last && last.type === 'ReturnStatement' ? 1 : 0);
  return { params, operations: countOps(body), statements, loops: countLoops(body), singleExpression: single, readsInput };
}

/** Operations in one expression (as `programShape` counts them); an expression that does not parse is a LevelError. */
export function expressionOperations(expression: string): number {
  return programShape(`const f = () => (${expression});`).operations;
}

/** The lowest level whose family the program's shape fits. */
export function levelOfShape(s: ProgramShape): Level {
  if (s.singleExpression && s.loops === 0) {
    if (s.params <= 1 && s.operations <= 1) return 0;
    if (s.params <= 2 && s.operations <= 2) return 1;
  }
  if (s.loops <= 1 && s.params <= 2 && s.statements <= 4) return 2;
  return 3;
}

/** The level of a program's shape (see the table above). */
export function classifyLevel(program: string): Level {
  return levelOfShape(programShape(program));
}

/** The node an operation of `countOps` counts (a callee member excepted), the copy `[...xs]` and literals not. */
function isOperation(n: AnyNode, parent: AnyNode | null): boolean {
  if (isLiteralNode(n)) return false;
  if (n.type === 'MemberExpression') return !(parent && (parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === n);
  // Building an array or a template from values is an operation; `[...xs]` only copies.
  if (n.type === 'ArrayExpression' || n.type === 'TemplateLiteral') return countOps(n) > children(n).reduce((a, c) => a + countOps(c), 0);
  return /^(Binary|Logical|Unary|Conditional|Call|New)Expression$/.test(n.type);
}

/**
 * The values a single-expression `f` computes on its way to its result, as expressions over its
 * parameters, in the order JavaScript evaluates them (operands before the operation): for
 * `(x) => x * 2 + 1`, `["x * 2"]`; for `(s) => s.slice(1).length`, `["s.slice(1)"]`. The result
 * itself is not a step; nothing inside a callback is (its variables exist only inside it).
 * Null for a program that does not parse, defines no `f`, or has statements. What a worked
 * answer writes before the answer: the computation, step by step.
 */
export function intermediateSteps(program: string): { params: string; steps: string[] } | null {
  let ast: AnyNode;
  try {
    ast = parseJs(program, { ecmaVersion: 'latest', sourceType: 'script' }) as unknown as AnyNode;
  } catch {
    return null;
  }
  const fn = functionF(ast);
  if (fn === null) return null;
  let expr = fn.body as AnyNode;
  if (expr.type === 'BlockStatement') {
    const stmts = expr.body as AnyNode[];
    if (stmts.length !== 1 || stmts[0].type !== 'ReturnStatement' || !stmts[0].argument) return null;
    expr = stmts[0].argument as AnyNode;
  }
  const params = (fn.params as AnyNode[]).map((p) => program.slice(p.start, p.end)).join(', ');
  const steps: string[] = [];
  const walk = (n: AnyNode, parent: AnyNode | null): void => {
    if (n.type === 'ArrowFunctionExpression' || n.type === 'FunctionExpression') return;
    // Of a conditional or a short-circuit only the test is sure to run: a branch that is not
    // taken is not part of the computation.
    const run = n.type === 'ConditionalExpression' ? [n.test as AnyNode] : n.type === 'LogicalExpression' ? [n.left as AnyNode] : children(n);
    for (const c of run) walk(c, n);
    if (n !== expr && isOperation(n, parent)) {
      const text = program.slice(n.start, n.end);
      if (steps.at(-1) !== text) steps.push(text);
    }
  };
  walk(expr, null);
  return { params, steps };
}
