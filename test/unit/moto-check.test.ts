import { join } from 'node:path';
import { findMotoServer, motoMissingMessage, runNeedsMoto } from '../../local/moto-check';

describe('finding moto_server', () => {
  const installed = (...paths: string[]) => (path: string) => paths.includes(path);

  it('takes moto_server from PATH first', () => {
    const found = findMotoServer({ PATH: ['/opt/a', '/opt/b'].join(':') }, '/repo', installed('/opt/b/moto_server', '/repo/.venv-moto/bin/moto_server'));

    expect(found).toBe(join('/opt/b', 'moto_server'));
  });

  it("falls back to the project's .venv-moto", () => {
    expect(findMotoServer({ PATH: '/opt/a' }, '/repo', installed('/repo/.venv-moto/bin/moto_server'))).toBe('/repo/.venv-moto/bin/moto_server');
  });

  it('finds nothing when moto is in neither place, and ignores empty PATH entries', () => {
    expect(findMotoServer({ PATH: ':/opt/a:' }, '/repo', installed('moto_server'))).toBeUndefined();
    expect(findMotoServer({}, '/repo', installed())).toBeUndefined();
  });

  it('says how to install moto, and that unit tests do not need it', () => {
    const message = motoMissingMessage();

    expect(message).toContain("python3 -m venv .venv-moto && .venv-moto/bin/pip install 'moto[server]==5.2.1'");
    expect(message).toContain("python3 -m pip install 'moto[server]==5.2.1'");
    expect(message).toContain('npm run test:unit');
  });

  it.each<[string[], boolean]>([
    [[], true],
    [['test/integration/rotation.test.ts'], true],
    [['test/unit', 'test/integration'], true],
    [['test/tools/demo.test.ts'], true],
    [['test/walk'], true],
    [['test/unit'], false],
    [['test/unit', 'test/cdk'], false],
    [['test/unit/retry.test.ts', 'test/jsii'], false],
    // a bare name may match an integration file
    [['rotation'], true],
    [['test/unit', 'moto-pool'], true],
  ])('a run of %j needs moto: %s', (patterns, needed) => {
    expect(runNeedsMoto(patterns)).toBe(needed);
  });
});
