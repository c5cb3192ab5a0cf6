#!/usr/bin/env bash
# Java 17+ (java, javac) and Maven fetch and run the local Neo4j. Install them when missing and we
# can (Debian/Ubuntu, as root); otherwise say what is needed. Not needed when NEO4J_URI is set.
set -euo pipefail
if [[ -n "${NEO4J_URI:-}" ]]; then exit 0; fi
missing=()
for tool in java javac mvn; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]} == 0)); then
  major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  if [[ "${major%%.*}" -ge 17 ]]; then exit 0; fi
  missing+=("java>=17 (found $major)")
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
else
  echo "The local Neo4j needs Java 17+ (java, javac) and Maven (mvn); missing: ${missing[*]}." >&2
  echo "Install them, or set NEO4J_URI/NEO4J_PASSWORD to use an existing Neo4j 5.26." >&2
  exit 1
fi
