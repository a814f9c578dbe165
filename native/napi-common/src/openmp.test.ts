import { defaultThreadCount, otherRunnableTasks, SINGLE_THREAD_ROWS } from './openmp';

describe('default thread policy', () => {
  it('uses the idle cores: all when idle, fewer next to competing work, at least one', () => {
    expect(defaultThreadCount({ cores: 2, others: 0 })).toBe(2);
    expect(defaultThreadCount({ cores: 2, others: 1 })).toBe(1);
    expect(defaultThreadCount({ cores: 8, others: 3 })).toBe(5);
    expect(defaultThreadCount({ cores: 2, others: 30 })).toBe(1);
  });

  it('uses one thread for small data, whatever the machine', () => {
    expect(defaultThreadCount({ cores: 8, others: 0, rows: SINGLE_THREAD_ROWS - 1 })).toBe(1);
    expect(defaultThreadCount({ cores: 8, others: 0, rows: SINGLE_THREAD_ROWS })).toBe(8);
  });

  it('counts the other runnable tasks from /proc/loadavg (median of 5 reads, without the reader)', () => {
    const reads = ['0.5 0.4 0.3 3/200 1', '0.5 0.4 0.3 2/200 1', '0.5 0.4 0.3 9/200 1', '0.5 0.4 0.3 2/200 1', '0.5 0.4 0.3 1/200 1'];
    let k = 0;
    expect(otherRunnableTasks(() => reads[k++]!)).toBe(1);
    expect(otherRunnableTasks(() => { throw new Error('no /proc'); })).toBeUndefined();
    expect(otherRunnableTasks(() => 'garbage')).toBeUndefined();
  });

  it('reads this machine (Linux): a count >= 0', () => {
    const others = otherRunnableTasks();
    expect(others === undefined || (Number.isInteger(others) && others >= 0)).toBe(true);
  });
});
