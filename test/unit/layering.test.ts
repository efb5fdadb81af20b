import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// lib/ is a layered library: props and errors at the bottom, the construct on top. An import
// cycle makes module load order matter (a class used before it is defined) and blocks jsii.
const LIB = resolve(__dirname, '../../lib');

function relativeImports(file: string): string[] {
  const source = readFileSync(join(LIB, file), 'utf8');
  const targets = [...source.matchAll(/^(?:import|export)\b[^;]*?from '\.\/([\w-]+)'/gm)].map((m) => `${m[1]}.ts`);
  return [...new Set(targets)];
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...path.slice(path.indexOf(node)), node];
    state.set(node, 'visiting');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('lib/ layering', () => {
  const files = readdirSync(LIB).filter((f) => f.endsWith('.ts'));
  const graph = new Map(files.map((f) => [f, relativeImports(f)]));

  test('the import graph is read (the construct imports its props)', () => {
    expect(graph.get('hopae-secret-rotation.ts')).toContain('props.ts');
  });

  test('no module of lib/ imports itself back through others, type imports included', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  test('finds a cycle when there is one', () => {
    expect(findCycle(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual(['a.ts', 'b.ts', 'a.ts']);
  });

  test('nothing but the package entry and the example stack imports the construct', () => {
    const importers = files.filter((f) => graph.get(f)?.includes('hopae-secret-rotation.ts'));
    expect(importers.sort()).toEqual(['example-stack.ts', 'index.ts']);
  });
});
