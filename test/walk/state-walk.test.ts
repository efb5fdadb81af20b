/**
 * The state-table walk over every row of the table (test/support/state-walk.ts), `npm run
 * test:walk` (.ci/run runs it): about 30 CLI runs against moto_server and the stand-in per row.
 * `npm test` walks a sample of the rows (test/integration/cli-state-walk.test.ts).
 */
import { ALL_STATES, useStateWalk } from '../support/state-walk';

const w = useStateWalk();

it('covers every row of the state table', () => {
  expect(w.rows.map(([state]) => state).sort()).toEqual([...ALL_STATES].sort());
});

it.each(w.rows.map((row) => [...row] as typeof row))('%s', async (...row) => {
  await w.expectWalk(row);
});
