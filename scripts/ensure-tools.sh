#!/usr/bin/env bash
# Tools the project needs from the system, installed when missing and we can (Debian/Ubuntu, as root); otherwise
# say what is needed.
# - Chromium: the browser tests of the OAuth sign-in and consent pages drive Debian's `chromium` through Playwright
#   (tests/partners/browser.py); Playwright's own browser download is not used. Without it only those tests fail
#   (naming it), so a failed install is reported and does not stop `make serve`.
# - Java 17+ (java, javac) and Maven fetch and run the local Neo4j. Not needed when NEO4J_URI is set.
set -euo pipefail
can_apt() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; }
updated=false
apt_update() { if ! $updated; then apt-get update -qq; updated=true; fi; }

if ! command -v chromium >/dev/null; then
  if can_apt; then
    echo "installing chromium with apt-get"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
      echo "could not install chromium: the browser tests (tests/partners) will fail until it is there" >&2
  else
    echo "The browser tests need Chromium (the \`chromium\` command; Debian: apt-get install chromium)." >&2
  fi
fi

if [[ -n "${NEO4J_URI:-}" ]]; then exit 0; fi
missing=()
for tool in java javac mvn; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]} == 0)); then
  major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  if [[ "${major%%.*}" -ge 17 ]]; then exit 0; fi
  missing+=("java>=17 (found $major)")
fi
if can_apt; then
  echo "installing ${missing[*]} with apt-get"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
else
  echo "The local Neo4j needs Java 17+ (java, javac) and Maven (mvn); missing: ${missing[*]}." >&2
  echo "Install them, or set NEO4J_URI/NEO4J_PASSWORD to use an existing Neo4j 5.26." >&2
  exit 1
fi
