/** This package's version, recorded in every bundle manifest (kept equal to package.json by a test). */
export const CORE_VERSION = '0.1.0';
