# Sourced by start.sh, test.sh and .ci/run: puts Node.js 24 LTS (the version the code supports, see
# `engines`) first on PATH for everything after. The machine's node when it is 24 or newer; else the
# registry's build of Node 24 (the npm package node-linux-<arch>) installed once into .run/node/.
# npm itself then runs on it too, and `npx inviaro` (bin/inviaro.js) finds it there.
NODE_MAJOR=24
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "$NODE_MAJOR" ]; then
  node_package="node-linux-$(node -p process.arch)"
  node_dir="$PWD/.run/node"
  if [ ! -x "$node_dir/node_modules/$node_package/bin/node" ]; then
    echo "installing Node.js $NODE_MAJOR ($node_package) into .run/node/ (this machine has $(node -v))"
    npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$node_package@$NODE_MAJOR"
  fi
  export PATH="$node_dir/node_modules/$node_package/bin:$PATH"
fi
