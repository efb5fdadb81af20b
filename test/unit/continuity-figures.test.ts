import { consumerFigures, lockouts, summarize } from '../../local/continuity/figures';

const call = (start: number, end: number, ok: boolean) => ({ start, end, ok });

describe('continuity figures', () => {
  it('a lock-out runs from the first failure seen to the next success seen', () => {
    const records = [call(0, 10, true), call(10, 20, false), call(20, 30, false), call(30, 45, true), call(45, 50, true)];
    expect(lockouts(records, 100)).toEqual([{ from: 20, to: 45, open: false }]);
  });

  it('a lock-out with no success after it lasts until the end of the run, and says so', () => {
    expect(lockouts([call(0, 10, true), call(10, 20, false)], 100)).toEqual([{ from: 20, to: 100, open: true }]);
    expect(consumerFigures('c', [call(0, 10, true), call(10, 20, false)], [15], 100)).toMatchObject({ longestLockoutMs: 80, lockedOutAtEnd: true });
  });

  it('counts each lock-out for the rotation whose commit came last before it, and reports the worst rotation', () => {
    // commits at 100 and 200; lock-outs 105–130 and 140–150 in the first rotation, 210–220 in the second
    const records = [
      call(90, 95, true),
      call(95, 105, false),
      call(105, 130, true),
      call(131, 140, false),
      call(140, 150, true),
      call(200, 210, false),
      call(210, 220, true),
    ];
    const figures = consumerFigures('reader', records, [100, 200], 300);
    expect(figures).toEqual({ consumer: 'reader', calls: 7, failures: 3, lockoutMsPerRotation: [35, 10], longestLockoutMs: 35, lockedOutAtEnd: false });
  });

  it('a consumer that never failed has no lock-out', () => {
    expect(consumerFigures('helper', [call(0, 1, true), call(1, 2, true)], [1], 3)).toMatchObject({ failures: 0, lockoutMsPerRotation: [0], longestLockoutMs: 0, lockedOutAtEnd: false });
  });

  it('summarizes min, median and max', () => {
    expect(summarize([5, 1, 3])).toEqual({ min: 1, median: 3, max: 5 });
    expect(summarize([])).toEqual({ min: 0, median: 0, max: 0 });
  });
});
