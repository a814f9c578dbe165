import { ReservoirSample } from './reservoir-sample';

function draw(size: number, rows: number, seed: number): number[] {
  const sample = new ReservoirSample(size, seed);
  const rowOfSlot: number[] = [];
  for (let row = 0; row < rows; row += 1) {
    const slot = sample.offer();
    if (slot >= 0) rowOfSlot[slot] = row;
  }
  return Array.from(sample.slotsInRowOrder(), (slot) => rowOfSlot[slot] as number);
}

describe('ReservoirSample', () => {
  it('keeps every row when there are fewer rows than slots, in row order', () => {
    expect(draw(10, 4, 1)).toEqual([0, 1, 2, 3]);
  });

  it('draws distinct rows in row order, the same for the same seed', () => {
    const rows = draw(5, 1000, 9);
    expect(rows).toHaveLength(5);
    expect(new Set(rows).size).toBe(5);
    expect([...rows].sort((a, b) => a - b)).toEqual(rows);
    expect(draw(5, 1000, 9)).toEqual(rows);
    expect(draw(5, 1000, 10)).not.toEqual(rows);
  });

  it('includes each row with probability size / rows (2 of 10 over 3000 seeds: 600 +- 4 sd)', () => {
    const counts = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 3000; seed += 1) for (const row of draw(2, 10, seed)) counts[row] = (counts[row] as number) + 1;
    const sd = Math.sqrt(3000 * 0.2 * 0.8);
    for (const count of counts) expect(Math.abs(count - 600)).toBeLessThan(4 * sd);
  });
});
