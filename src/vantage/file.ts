// Moved to src/store/read.ts (the validating record reader); re-exported for old imports.
export * from '../store/read.js'
