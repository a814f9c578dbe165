export interface ChildResult {
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
}
export declare function runTsChild(file: string, args?: string[], options?: {
    timeoutMs?: number;
    nodeArgs?: string[];
    env?: NodeJS.ProcessEnv;
}): ChildResult;
/** A one-line account of a child's exit for assertion messages. */
export declare function describeExit(r: ChildResult): string;
//# sourceMappingURL=child.d.ts.map