// Reads values out of a parsed YAML document node by node, so that every problem points at the
// line and column of the offending key or value. Not zod: zod reports paths and developer English,
// while an officer needs the exact spot and a sentence in his language for each value.
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourcePos, ScheduleProblem } from './model.js';
import { message, WARNINGS, type Lang, type Params, type ProblemCode, type Where } from './messages.js';

export type YNode = Node | null | undefined;

export interface Field {
  key: string;
  keyNode: Node | null;
  value: YNode;
  /** Where the value stands, or its key when the value is empty. */
  pos: SourcePos;
}

/** "Khẩn cấp" → "khan-cap": how names are compared, so accents and spacing do not matter. */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .trim()
    .replace(/[\s_]+/g, '-');
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The candidate closest to value, when close enough to be a typo ("did you mean"). */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  const v = slug(value);
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(v.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(v, slug(c));
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** Collects problems with their code, severity, place and sentence in the chosen language. */
export class Reporter {
  readonly problems: ScheduleProblem[] = [];

  constructor(
    private readonly file: string,
    readonly lang: Lang,
  ) {}

  report<K extends ProblemCode>(code: K, at: SourcePos, params: Params[K]): void {
    this.problems.push({
      severity: WARNINGS.has(code) ? 'warning' : 'error',
      code,
      file: this.file,
      line: at.line,
      col: at.col,
      message: message(this.lang, code, params),
    });
  }
}

export class Reader extends Reporter {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    file: string,
    lang: Lang,
  ) {
    super(file, lang);
  }

  posOf(node: YNode, fallback: SourcePos = { line: 1, col: 1 }): SourcePos {
    if (node?.range) {
      const { line, col } = this.lines.linePos(node.range[0]);
      return { line, col };
    }
    return fallback;
  }

  private resolve(node: YNode): YNode {
    return isAlias(node) ? (node.resolve(this.doc) as Node | undefined) : node;
  }

  /** The fields of a mapping; unknown keys and missing required keys are reported. */
  fields(node: YNode, name: string, where: Where, allowed: readonly string[], required: readonly string[] = []): Map<string, Field> | null {
    node = this.resolve(node);
    const out = new Map<string, Field>();
    if (!isMap(node)) {
      this.report('SCHEDULE_BAD_VALUE', this.posOf(node), { key: name, expected: 'mapping' });
      return null;
    }
    for (const pair of node.items as Pair<Node | null, Node | null>[]) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const keyPos = this.posOf(keyNode, this.posOf(node));
      if (!allowed.includes(key)) {
        this.report('SCHEDULE_UNKNOWN_KEY', keyPos, { key, where, allowed: allowed.join(', '), hint: closest(key, allowed) });
        continue;
      }
      const value = this.resolve(pair.value);
      const empty = value === null || value === undefined || (isScalar(value) && value.value === null);
      out.set(key, { key, keyNode, value: empty ? null : value, pos: empty ? keyPos : this.posOf(value, keyPos) });
    }
    for (const key of required) {
      if (!out.has(key)) this.report('SCHEDULE_MISSING_KEY', this.posOf(node), { key, where });
    }
    return out;
  }

  /** Text of a scalar (numbers become text: a media may be named 2024); anything else is reported. */
  text(f: Field): string | null {
    const v = f.value;
    if (isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number')) return String(v.value);
    this.report('SCHEDULE_BAD_VALUE', f.pos, { key: f.key, expected: 'text' });
    return null;
  }

  bool(f: Field): boolean | null {
    if (isScalar(f.value) && typeof f.value.value === 'boolean') return f.value.value;
    this.report('SCHEDULE_BAD_VALUE', f.pos, { key: f.key, expected: 'boolean' });
    return null;
  }

  /** The scalars of a list; a single scalar counts as a list of one when `single` allows it. */
  scalars(f: Field, single = true): { text: string; pos: SourcePos }[] | null {
    const v = f.value;
    if (single && isScalar(v) && v.value !== null) return [{ text: String(v.value), pos: f.pos }];
    if (!isSeq(v)) {
      this.report('SCHEDULE_BAD_VALUE', f.pos, { key: f.key, expected: single ? 'textOrList' : 'list' });
      return null;
    }
    const out: { text: string; pos: SourcePos }[] = [];
    for (const raw of v.items as YNode[]) {
      const item = this.resolve(raw);
      if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) {
        out.push({ text: String(item.value), pos: this.posOf(item, f.pos) });
      } else {
        this.report('SCHEDULE_BAD_VALUE', this.posOf(item, f.pos), { key: f.key, expected: 'text' });
      }
    }
    return out;
  }

  /** The nodes of a list (for lists of mappings). */
  nodes(f: Field): Node[] | null {
    if (!isSeq(f.value)) {
      this.report('SCHEDULE_BAD_VALUE', f.pos, { key: f.key, expected: 'list' });
      return null;
    }
    return (f.value.items as YNode[]).map((n) => this.resolve(n)).filter((n): n is Node => !!n);
  }

  /** The entries of a mapping whose keys are names the user chooses (zones, slots, holidays). */
  named(f: Field): Field[] | null {
    const v = f.value;
    if (!isMap(v)) {
      this.report('SCHEDULE_BAD_VALUE', f.pos, { key: f.key, expected: 'mapping' });
      return null;
    }
    return (v.items as Pair<Node | null, Node | null>[]).map((pair) => {
      const keyPos = this.posOf(pair.key, f.pos);
      const value = this.resolve(pair.value);
      const empty = value === null || value === undefined || (isScalar(value) && value.value === null);
      return {
        key: isScalar(pair.key) ? String(pair.key.value) : '',
        keyNode: pair.key,
        value: empty ? null : value,
        pos: empty ? keyPos : this.posOf(value, keyPos),
      };
    });
  }

  /** A key's own position (for problems about the key rather than its value). */
  keyPos(f: Field): SourcePos {
    return this.posOf(f.keyNode, f.pos);
  }
}
