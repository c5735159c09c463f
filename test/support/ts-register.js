// Lets child processes in tests run Parley's TypeScript sources directly
// (the same per-file transpilation ts-jest uses), so a test can kill a real
// process without a build step first. The loader itself lives beside the
// worker threads that need it too.
require('../../libs/threads/ts-source-register.js');
