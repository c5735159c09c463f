// One byte range of an export checked off the page's thread (verify-core.js,
// verifyExport): posts progress, then the range's report.
import { checkRange } from './verify-core.js';

self.onmessage = ({ data }) => {
  checkRange(data.blob, data.start, data.end, (progress) => self.postMessage({ kind: 'progress', ...progress })).then(
    (report) => self.postMessage(report),
    () => self.postMessage({ kind: 'irregular' }),
  );
};
