import { SeededRandom } from '../random/seeded-random';

/**
 * Seeded reservoir sampling (Algorithm R) over rows arriving in file order: a uniform sample of
 * `size` rows in one pass and `size` slots of memory. Every reader uses it, so the same data and
 * seed give the same sample whatever the file format.
 */
export class ReservoirSample {
  private readonly random: SeededRandom;
  /** Original row index held by each slot. */
  private readonly rowOfSlot: Float64Array;
  private seen = 0;

  constructor(readonly size: number, seed: number) {
    this.random = new SeededRandom(seed);
    this.rowOfSlot = new Float64Array(size);
  }

  /** Offers the next row; returns the slot to store it in, or -1 to skip it. */
  offer(): number {
    const row = this.seen;
    this.seen += 1;
    let slot: number;
    if (row < this.size) slot = row;
    else {
      const candidate = this.random.integer(row + 1);
      slot = candidate < this.size ? candidate : -1;
    }
    if (slot >= 0) this.rowOfSlot[slot] = row;
    return slot;
  }

  /** Number of filled slots. */
  get filled(): number {
    return Math.min(this.seen, this.size);
  }

  /** Filled slots ordered by original row, so the sample keeps the file's row order. */
  slotsInRowOrder(): Int32Array {
    const slots = Int32Array.from({ length: this.filled }, (_, i) => i);
    return slots.sort((a, b) => (this.rowOfSlot[a] as number) - (this.rowOfSlot[b] as number));
  }
}
