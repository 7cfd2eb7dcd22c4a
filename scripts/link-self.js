// Makes `require("pulumi-nexudus/...")` resolve inside this repo, as it does for a user who
// installed the package: the dynamic-provider host runs the serialized provider with no file of
// its own and resolves modules from its working directory's node_modules.
const fs = require("node:fs");
const path = require("node:path");

function linkSelf(root = path.resolve(__dirname, "..")) {
  const link = path.join(root, "node_modules", "pulumi-nexudus");
  let ok = false;
  try {
    ok = fs.realpathSync(link) === fs.realpathSync(root);
  } catch {
    ok = false;
  }
  if (!ok) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.relative(path.dirname(link), root), link, "dir");
  }
}

module.exports = { linkSelf };
if (require.main === module) linkSelf();
