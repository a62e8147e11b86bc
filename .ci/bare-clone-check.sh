#!/usr/bin/env bash
# A new user's first steps on a machine without the Debian packages: clone this repository's committed
# HEAD into a temporary folder with no ../shared beside it, then, in a private mount namespace where
# PC/SC headers (/usr/include/PCSC) and the system ffmpeg (/usr/bin/ffmpeg) do not exist, run
# `npm ci && npm start` and check that:
#   - npm prints no "Unknown project config" warning,
#   - /health answers and today's counts show entries within 120 s of the start,
#   - after SIGTERM to `npm start`, no process of the demo is left (hub, edge, camera ffmpeg).
# Needs root (unshare -m, mount). Exits non-zero, saying why, on any failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/cg-bare.XXXXXX)"
cleanup() {
  # Whatever the outcome, nothing started from the clone survives the check.
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/cwd" 2>/dev/null || true)" in "$work"*) kill -9 "${p#/proc/}" 2>/dev/null || true ;; esac
  done
  rm -rf "$work"
}
trap cleanup EXIT
git clone -q "$repo" "$work/cong-ai"
[ ! -e "$work/shared" ] || { echo "bare-clone: $work/shared must not exist" >&2; exit 1; }

unshare -m --propagation private bash -s "$work" <<'INNER'
set -euo pipefail
work="$1"
cd "$work/cong-ai"
mkdir -p /usr/include/PCSC && mount -t tmpfs -o ro none /usr/include/PCSC
[ -e /usr/bin/ffmpeg ] && mount --bind /dev/null /usr/bin/ffmpeg
if [ -f /usr/include/PCSC/winscard.h ] || [ -x /usr/bin/ffmpeg -a -f /usr/bin/ffmpeg ]; then echo "bare-clone: could not hide PCSC headers or ffmpeg" >&2; exit 1; fi

echo "bare-clone: npm ci (no PC/SC headers, no system ffmpeg, no ../shared)"
npm ci --no-audit --no-fund > "$work/npm-ci.log" 2>&1 || { tail -40 "$work/npm-ci.log"; echo "bare-clone: npm ci failed" >&2; exit 1; }
[ ! -e node_modules/@pokusew/pcsclite/build/Release/pcsclite.node ] || { echo "bare-clone: the PC/SC binding compiled: the headers were not hidden" >&2; exit 1; }
if grep -q "Unknown project config" "$work/npm-ci.log"; then grep "Unknown project config" "$work/npm-ci.log"; echo "bare-clone: npm warns about .npmrc keys" >&2; exit 1; fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mqtt=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
echo "bare-clone: npm start (hub on :$port)"
PORT=$port EMBEDDED_MQTT_PORT=$mqtt HUB_ADMIN_USERNAME=admin HUB_ADMIN_PASSWORD=bare-clone-check-pw npm start > "$work/npm-start.log" 2>&1 &
npm_pid=$!
started=$(date +%s)
ok=""
while [ $(( $(date +%s) - started )) -lt 120 ]; do
  if curl -sf "http://127.0.0.1:$port/health" > /dev/null 2>&1; then
    token=$(curl -sf -X POST "http://127.0.0.1:$port/api/auth/login" -H 'content-type: application/json' \
      -d '{"username":"admin","password":"bare-clone-check-pw"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken' 2>/dev/null || true)
    if [ -n "$token" ]; then
      entries=$(curl -sf "http://127.0.0.1:$port/api/counts/today?siteId=trang-an" -H "authorization: Bearer $token" \
        | node -pe 'JSON.parse(require("fs").readFileSync(0)).site.entries' 2>/dev/null || echo 0)
      if [ "${entries:-0}" -gt 0 ]; then ok="$entries"; break; fi
    fi
  fi
  kill -0 $npm_pid 2>/dev/null || break
  sleep 2
done
if [ -z "$ok" ]; then tail -60 "$work/npm-start.log"; echo "bare-clone: no /health with entries counted within 120 s" >&2; kill -TERM $npm_pid 2>/dev/null || true; exit 1; fi
echo "bare-clone: /health up and $ok entries counted today after $(( $(date +%s) - started )) s"
grep -q "(bundled: .*@ffmpeg-installer" "$work/npm-start.log" || { grep -i ffmpeg "$work/npm-start.log"; echo "bare-clone: the cameras do not run the bundled ffmpeg" >&2; exit 1; }
grep -q "cam-g1: streaming" "$work/npm-start.log" || { echo "bare-clone: the demo camera is not streaming" >&2; exit 1; }

kill -TERM $npm_pid
for _ in $(seq 1 60); do kill -0 $npm_pid 2>/dev/null || break; sleep 0.5; done
if kill -0 $npm_pid 2>/dev/null; then echo "bare-clone: npm start still running 30 s after SIGTERM" >&2; exit 1; fi
sleep 1
left=""
for p in /proc/[0-9]*; do
  pid=${p#/proc/}
  [ "$pid" = "$$" ] && continue   # this check's own shell
  grep -q "^PPid:[[:space:]]*$$\$" "$p/status" 2>/dev/null && continue   # its own command substitutions
  case "$(readlink "$p/cwd" 2>/dev/null || true)" in "$work"*) left="$left $pid:$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null | cut -c1-80)" ;; esac
done
if [ -n "$left" ]; then echo "bare-clone: left running after SIGTERM:$left" >&2; exit 1; fi
echo "bare-clone: SIGTERM stopped every process of the demo"
INNER
echo "bare-clone: passed"
