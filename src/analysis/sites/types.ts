// The shapes of `anyprobe sites` live in src/model/sites.ts (render/ reads them too).
export type * from '../../model/sites.js'
