import { InvalidArgumentError } from 'commander';

/** Commander parser for an integer option with a lower bound; the message names the flag. */
export function integerOption(flag: string, min: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`${flag} must be an integer >= ${min}. Got '${value}'.`);
    }
    return n;
  };
}
