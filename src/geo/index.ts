// Place dictionaries (airports, metro codes, cities, UN/LOCODE, CLLI) and distance math.
// Everything loads lazily on first lookup: from dist/geo-data when the build wrote it, else from
// the packages (see ./store.ts).
export * from './abbreviations.js'
export * from './airports.js'
export * from './cities.js'
export * from './clli.js'
export * from './countries.js'
export * from './distance.js'
export * from './locode.js'
export * from './normalize.js'
