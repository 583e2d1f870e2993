// Branch coverage of the escrow contracts, derived from Hardhat 3's statement coverage data.
//
// `hardhat test --coverage` reports lines and statements only. This script re-creates the statement
// tags Hardhat's instrumentation (EDR) gave each statement, joins them with the execution counts in
// coverage/data, and for every `if` of the solc AST decides whether each outcome ran:
//   true  — the first statement of the true branch ran;
//   false — the first statement of the else branch ran, or (no else) the `if` ran more often than its
//           true branch. Counts may be per transaction, so the false outcome of an `if` inside a loop can
//           be under-counted: the figure is conservative.
// Usage: node scripts/branch-coverage.ts [--min <percent>] [--json]   (after `hardhat test --coverage`)
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { addStatementCoverageInstrumentation } from '@nomicfoundation/edr';

const require = createRequire(import.meta.url);
const FILES = ['contracts/OrderEscrow.sol'];
const SOLC_VERSION = '0.8.28';
const root = path.resolve(import.meta.dirname, '..');

interface AstNode { nodeType: string; src: string; [key: string]: unknown }
interface Branch { line: number; taken: [boolean, boolean] }

function executionCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  const dir = path.join(root, 'coverage', 'data');
  if (!existsSync(dir)) throw new Error('no coverage data: run `hardhat test --coverage` first');
  for (const kind of readdirSync(dir)) {
    for (const file of readdirSync(path.join(dir, kind))) {
      const data = JSON.parse(readFileSync(path.join(dir, kind, file), 'utf8')) as Record<string, number>;
      for (const [tag, n] of Object.entries(data)) counts.set(tag, (counts.get(tag) ?? 0) + n);
    }
  }
  return counts;
}

function parse(source: string, name: string): AstNode {
  const solc = require('solc') as { compile(input: string): string };
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources: { [name]: { content: source } }, settings: { stopAfter: 'parsing', outputSelection: { '*': { '': ['ast'] } } } }))) as { sources: Record<string, { ast: AstNode }> };
  return output.sources[name]!.ast;
}

function* walk(node: unknown): Generator<AstNode> {
  if (Array.isArray(node)) for (const n of node) yield* walk(n);
  else if (node && typeof node === 'object') {
    if (typeof (node as AstNode).nodeType === 'string') yield node as AstNode;
    for (const v of Object.values(node)) if (v && typeof v === 'object') yield* walk(v);
  }
}

function branchesOf(file: string, counts: Map<string, number>): Branch[] {
  const source = readFileSync(path.join(root, file), 'utf8');
  const bytes = Buffer.from(source, 'utf8');
  const utf16 = (byteOffset: number) => bytes.subarray(0, byteOffset).toString('utf8').length;
  const { metadata } = addStatementCoverageInstrumentation(source, `project/${file}`, SOLC_VERSION);
  const tagAt = new Map<string, string>();
  // instrumented statement ranges include the leading indentation: key them by their first non-blank character
  for (const m of metadata) {
    const text = source.slice(m.startUtf16, m.endUtf16);
    tagAt.set(String(m.startUtf16 + (text.length - text.trimStart().length)), Buffer.from(m.tag).toString('hex'));
  }
  const hits = (node: AstNode | undefined): number | undefined => {
    if (!node) return undefined;
    const first = node.nodeType === 'Block' || node.nodeType === 'UncheckedBlock' ? (node.statements as AstNode[])[0] : node;
    if (!first) return undefined;
    const start = Number(first.src.split(':')[0]);
    const tag = tagAt.get(String(utf16(start)));
    if (tag === undefined) throw new Error(`${file}: no coverage tag for ${first.nodeType} at ${first.src}`);
    return counts.get(tag) ?? 0;
  };
  const branches: Branch[] = [];
  for (const node of walk(parse(source, file))) {
    if (node.nodeType !== 'IfStatement' && node.nodeType !== 'Conditional') continue;
    const start = Number(node.src.split(':')[0]);
    const line = source.slice(0, utf16(start)).split('\n').length;
    if (node.nodeType === 'Conditional') throw new Error(`${file}:${line}: ternary expressions are not analysed; rewrite as if/else`);
    const self = hits(node) ?? 0;
    const onTrue = hits(node.trueBody as AstNode) ?? 0;
    const onFalse = node.falseBody ? (hits(node.falseBody as AstNode) ?? 0) > 0 : self > onTrue;
    branches.push({ line, taken: [onTrue > 0, onFalse] });
  }
  return branches;
}

const args = process.argv.slice(2);
const minIndex = args.indexOf('--min');
const min = minIndex >= 0 ? Number(args[minIndex + 1]) : 0;
const counts = executionCounts();
let total = 0;
let covered = 0;
const rows: { file: string; branches: number; covered: number; percent: number; missing: string[] }[] = [];
for (const file of FILES) {
  const branches = branchesOf(file, counts);
  const missing = branches.flatMap((b) => [b.taken[0] ? [] : [`${b.line} (true)`], b.taken[1] ? [] : [`${b.line} (false)`]].flat());
  const n = branches.length * 2;
  rows.push({ file, branches: n, covered: n - missing.length, percent: n === 0 ? 100 : (100 * (n - missing.length)) / n, missing });
  total += n;
  covered += n - missing.length;
}
const percent = total === 0 ? 100 : (100 * covered) / total;
console.log('Branch coverage (if/else outcomes, derived from Hardhat statement coverage)');
for (const r of rows) console.log(`  ${r.file.padEnd(32)} ${r.covered}/${r.branches}  ${r.percent.toFixed(2)} %  ${r.missing.length ? 'missing: ' + r.missing.join(', ') : ''}`);
console.log(`  ${'Total'.padEnd(32)} ${covered}/${total}  ${percent.toFixed(2)} %`);
if (args.includes('--json')) console.log(JSON.stringify({ branchesTotal: total, branchesCovered: covered, branchPercent: Number(percent.toFixed(2)), files: rows }));
if (percent < min) {
  console.error(`branch coverage ${percent.toFixed(2)} % is below the required ${min} %`);
  process.exit(1);
}
