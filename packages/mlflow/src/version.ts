/** This package's version, logged as a tag on every run (kept equal to package.json by a test). */
export const MLFLOW_PACKAGE_VERSION = '0.1.0';
