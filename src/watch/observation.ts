// Moved to src/store/observation.ts (reading records is the store's); re-exported for old imports.
export {observationFrom} from '../store/observation.js'
