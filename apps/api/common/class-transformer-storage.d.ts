/** class-transformer's metadata store, where its CommonJS build keeps it (its own typings live under types/). */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
