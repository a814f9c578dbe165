/**
 * Seeded test data: xoshiro128** (Blackman & Vigna), seeded through splitmix32. Test fixtures
 * only; library code uses @kdap/preprocessing's generators.
 */
export declare class SeededRandom {
    #private;
    constructor(seed: number);
    /** Next 32 random bits. */
    nextUint32(): number;
    /** Uniform in [0, 1) with 53 random bits. */
    next(): number;
    /** Standard normal (Box-Muller). */
    normal(): number;
}
//# sourceMappingURL=random.d.ts.map