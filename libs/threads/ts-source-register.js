// Lets a process or worker thread run Parley's TypeScript sources directly
// (the per-file transpilation ts-jest uses): tests start the API as a child
// process, and the API starts its writer and projector threads, without a
// build step. Transpiled files are cached on disk by content, so a thread
// started again loads without loading the compiler.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

if (!require.extensions['.ts']) {
  const configPath = path.join(__dirname, '..', '..', 'tsconfig.json');
  const cacheDir = path.join(os.tmpdir(), `parley-ts-cache-${process.getuid ? process.getuid() : 'user'}`);
  let compiler = null;
  const compile = () => {
    if (compiler === null) {
      const ts = require('typescript');
      const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
      const { options } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));
      const compilerOptions = { ...options, module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: false };
      compiler = (source, fileName) => ts.transpileModule(source, { fileName, compilerOptions }).outputText;
    }
    return compiler;
  };
  const tsconfigText = fs.readFileSync(configPath, 'utf8');

  require.extensions['.ts'] = function load(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const key = crypto.createHash('sha1').update(tsconfigText).update('\0').update(filename).update('\0').update(source).digest('hex');
    const cached = path.join(cacheDir, `${key}.js`);
    let output;
    try {
      output = fs.readFileSync(cached, 'utf8');
    } catch {
      output = compile()(source, filename);
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        // Written aside and renamed: a reader never sees half a file.
        const temporary = `${cached}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
        fs.writeFileSync(temporary, output);
        fs.renameSync(temporary, cached);
      } catch {
        // A cache that cannot be written only costs the next start a compile.
      }
    }
    module._compile(output, filename);
  };
}
