/** Where a Jest run puts its temporary directory (test/support/run-tmpdir.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTmpdirParent, writableWithRoom } from '../support/run-tmpdir';

describe('runTmpdirParent', () => {
  it('keeps the TMPDIR you set, even when /dev/shm is writable', () => {
    expect(runTmpdirParent({ TMPDIR: '/scratch' }, () => true)).toBe('/scratch');
  });

  it('uses /dev/shm when TMPDIR is unset and /dev/shm is a writable directory with room', () => {
    const asked: string[] = [];
    expect(
      runTmpdirParent({}, (path) => {
        asked.push(path);
        return true;
      }),
    ).toBe('/dev/shm');
    expect(asked).toEqual(['/dev/shm']);
  });

  it.each([[{}], [{ TMPDIR: '' }]])('falls back to the system default when /dev/shm is not writable or has too little room (env %j)', (env) => {
    expect(runTmpdirParent(env, () => false)).toBe(tmpdir());
  });
});

describe('writableWithRoom', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'room-'));
    writeFileSync(join(dir, 'file'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a writable directory with room, and refuses it when asking for more than any disk has', () => {
    expect(writableWithRoom(dir, 1)).toBe(true);
    expect(writableWithRoom(dir, Number.MAX_SAFE_INTEGER)).toBe(false);
  });

  it.each([['a file', 'file'], ['a missing path', 'missing']])('refuses %s', (_what, name) => {
    expect(writableWithRoom(join(dir, name), 1)).toBe(false);
  });
});
