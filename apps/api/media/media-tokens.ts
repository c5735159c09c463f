/** The blob store of media bytes (libs/blob-store), chosen by BLOB_STORE_URL. */
export const BLOB_STORE = Symbol('BLOB_STORE');
