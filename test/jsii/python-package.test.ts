/**
 * The Python package `npm run package:python` generated (dist/packages/python/) and built
 * (dist/packages/wheels/*.whl). No Python CDK library (aws-cdk-lib, constructs, jsii) can be installed on
 * this machine, so no Python synth runs here; these tests check what can be checked: the generated
 * code, the wheel's metadata and contents, and that the prebuilt rotation function travels inside it
 * byte for byte. Run by `npm run test:jsii`.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const generated = join(root, 'dist', 'packages', 'python');
const moduleDir = join(generated, 'src', 'hopae_secret_rotation');
const wheelDir = join(root, 'dist', 'packages', 'wheels');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const assembly = JSON.parse(readFileSync(join(root, '.jsii'), 'utf8')) as {
  types: Record<string, { kind: string; datatype?: boolean; properties?: { name: string }[] }>;
};

/** Runs a Python program on python3; returns its stdout, failing the test with its stderr. */
function python(program: string, ...args: string[]): string {
  const run = spawnSync('python3', ['-c', program, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

beforeAll(() => {
  if (!existsSync(wheelDir) || !existsSync(moduleDir)) {
    throw new Error('The Python package is not built: run `npm run build` and `npm run package:python` first (a full build clears dist/).');
  }
});

function wheelPath(): string {
  const wheels = readdirSync(wheelDir).filter((f) => f.endsWith('.whl'));
  expect(wheels).toEqual([`hopae_secret_rotation-${pkg.version}-py3-none-any.whl`]);
  return join(wheelDir, wheels[0]!);
}

describe('the generated Python code', () => {
  test('compiles, and declares one class per type of the assembly', () => {
    const out = python(
      `import ast, json, sys, py_compile
for f in sys.argv[1:]:
    py_compile.compile(f, doraise=True)
tree = ast.parse(open(sys.argv[1], encoding='utf8').read())
print(json.dumps(sorted(n.name for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith('_'))))`,
      join(moduleDir, '__init__.py'),
      join(moduleDir, '_jsii', '__init__.py'),
    );
    const expected = Object.keys(assembly.types).map((fqn) => fqn.split('.').pop()!);
    expect(JSON.parse(out)).toEqual(expected.sort());
  });

  test('HopaeSecretRotation takes every prop as a keyword argument in snake_case', () => {
    const out = python(
      `import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding='utf8').read())
cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == 'HopaeSecretRotation')
init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == '__init__')
print(json.dumps({'positional': [a.arg for a in init.args.args], 'keyword': sorted(a.arg for a in init.args.kwonlyargs)}))`,
      join(moduleDir, '__init__.py'),
    );
    const props = assembly.types['hopae-secret-rotation.HopaeSecretRotationProps']!.properties!.map((p) => snake(p.name));
    expect(JSON.parse(out)).toEqual({ positional: ['self', 'scope', 'id'], keyword: props.sort() });
    expect(props).toEqual(expect.arrayContaining(['workspace_key_secret', 'https_proxy', 'vpc_subnets', 'secrets_manager_endpoint', 'permissions_boundary']));
  });

  test('HopaeEnvironment.SANDBOX and .PRODUCTION are class properties, as an enum-like class is in Python', () => {
    const out = python(
      `import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding='utf8').read())
cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == 'HopaeEnvironment')
print(json.dumps(sorted(f.name for f in cls.body if isinstance(f, ast.FunctionDef) and any(ast.unparse(d) == 'jsii.python.classproperty' for d in f.decorator_list))))`,
      join(moduleDir, '__init__.py'),
    );
    expect(JSON.parse(out)).toEqual(['PRODUCTION', 'SANDBOX']);
  });
});

test("the README's Python example parses and uses only names the generated package has", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /```python\n([\s\S]*?)```/.exec(readme)![1]!;
  const out = python(
    `import ast, json, sys
example = ast.parse(sys.argv[1])
generated = ast.parse(open(sys.argv[2], encoding='utf8').read())
imported = sorted(a.name for n in ast.walk(example) if isinstance(n, ast.ImportFrom) and n.module == 'hopae_secret_rotation' for a in n.names)
call = next(n for n in ast.walk(example) if isinstance(n, ast.Call) and getattr(n.func, 'id', None) == 'HopaeSecretRotation')
cls = next(n for n in generated.body if isinstance(n, ast.ClassDef) and n.name == 'HopaeSecretRotation')
init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == '__init__')
classes = {n.name for n in generated.body if isinstance(n, ast.ClassDef)}
print(json.dumps({'missing': [i for i in imported if i not in classes], 'unknown': [k.arg for k in call.keywords if k.arg not in {a.arg for a in init.args.kwonlyargs}], 'keywords': len(call.keywords)}))`,
    example,
    join(moduleDir, '__init__.py'),
  );
  expect(JSON.parse(out)).toEqual({ missing: [], unknown: [], keywords: 4 });
});

describe('the wheel', () => {
  test('names the package, its Python and its dependencies (the CDK peers as ranges, the jsii runtime)', () => {
    const metadata = python(
      `import sys, zipfile
w = zipfile.ZipFile(sys.argv[1])
print(w.read(next(n for n in w.namelist() if n.endswith('.dist-info/METADATA'))).decode())`,
      wheelPath(),
    );
    expect(metadata).toMatch(/^Name: hopae-secret-rotation$/m);
    expect(metadata).toMatch(new RegExp(`^Version: ${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    expect(metadata).toMatch(/^Requires-Python: >=3\.10$/m);
    const requires = [...metadata.matchAll(/^Requires-Dist: (.*)$/gm)].map((m) => m[1]!.replace(/\s/g, ''));
    expect(requires).toEqual(expect.arrayContaining(['aws-cdk-lib<3.0.0,>=2.225.0', 'constructs<11.0.0,>=10.0.0']));
    expect(requires.some((r) => r.startsWith('jsii'))).toBe(true);
    // the README, as the package's long description
    expect(metadata).toContain('## Use from Python');
  });

  describe('the npm package inside it, which the jsii runtime loads', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'hopae-wheel-'));
      python(
        `import io, sys, tarfile, zipfile
w = zipfile.ZipFile(sys.argv[1])
name = next(n for n in w.namelist() if n.endswith('.jsii.tgz'))
tarfile.open(fileobj=io.BytesIO(w.read(name))).extractall(sys.argv[2], filter='data')`,
        wheelPath(),
        dir,
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('carries the prebuilt rotation function byte for byte, the assembly, and the compiled construct', () => {
      expect(sha256(readFileSync(join(dir, 'package', 'dist', 'function', 'index.js')))).toBe(sha256(readFileSync(join(root, 'dist', 'function', 'index.js'))));
      expect(readFileSync(join(dir, 'package', '.jsii'), 'utf8')).toBe(readFileSync(join(root, '.jsii'), 'utf8'));
      expect(readFileSync(join(dir, 'package', 'dist', 'lib', 'index.js'), 'utf8')).toBe(readFileSync(join(root, 'dist', 'lib', 'index.js'), 'utf8'));
    });

    test('holds no sources, tests or local tooling, and depends on nothing but its peers', () => {
      expect(readdirSync(join(dir, 'package')).sort()).toEqual(['.jsii', 'BENCHMARKS.md', 'LICENSE', 'README.md', 'dist', 'docs', 'package.json']);
      expect(readdirSync(join(dir, 'package', 'dist')).sort()).toEqual(['cli', 'function', 'lambda', 'lib']);
      const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as { dependencies?: object; version: string };
      expect(manifest.dependencies).toBeUndefined();
      expect(manifest.version).toBe(pkg.version);
    });

    test('its compiled construct finds the function in its own package (the path the Python runtime loads it from)', () => {
      // The jsii runtime extracts this tarball and requires dist/lib; the construct looks for the
      // asset from there: the package root is the folder with this package.json.
      const load = spawnSync(
        process.execPath,
        ['-e', `console.log(require(${JSON.stringify(join(dir, 'package', 'dist', 'lib', 'function-asset.js'))}).rotationFunctionAssetDirectory())`],
        // aws-cdk-lib comes from its own package, as the jsii runtime loads it from its own tarball
        { encoding: 'utf8', env: { ...process.env, NODE_PATH: join(root, 'node_modules') } },
      );
      expect(load.stderr).toBe('');
      expect(load.stdout.trim()).toBe(join(dir, 'package', 'dist', 'function'));
    });
  });

  test('installs offline; importing it then stops only at the jsii runtime, which no index here has', () => {
    const target = mkdtempSync(join(tmpdir(), 'hopae-wheel-install-'));
    try {
      const install = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--root-user-action=ignore', '--no-deps', '--no-index', '--target', target, wheelPath()], {
        encoding: 'utf8',
      });
      expect([install.status, install.stderr]).toEqual([0, '']);
      expect(readdirSync(join(target, 'hopae_secret_rotation', '_jsii')).filter((f) => f !== '__pycache__').sort()).toEqual([
        '__init__.py',
        `hopae-secret-rotation@${pkg.version}.jsii.tgz`,
      ]);
      // the operator CLI comes along as a console script, run by the jsii runtime (with Node.js)
      expect(readFileSync(join(target, 'bin', 'hopae-rotation'), 'utf8')).toContain('invokeBinScript(\n    "hopae-secret-rotation", "hopae-rotation"');
      const imported = spawnSync('python3', ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import hopae_secret_rotation', target], { encoding: 'utf8' });
      expect(imported.status).not.toBe(0);
      expect(imported.stderr).toMatch(/ModuleNotFoundError: No module named '(jsii|publication|typeguard|aws_cdk|constructs)'/);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});
