# Sourced by ./facestream and ./run-tests: prints the JDK to use.
# Temurin 25 when installed, else $JAVA_HOME or any JDK >= 21 under /usr/lib/jvm. FACESTREAM_JAVA_HOME wins.
facestream_java_home() {
  if [[ -n "${FACESTREAM_JAVA_HOME:-}" ]]; then echo "$FACESTREAM_JAVA_HOME"; return 0; fi
  local d
  for d in /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/temurin-2[5-9]-jdk*; do
    [[ -x "$d/bin/java" ]] && { echo "$d"; return 0; }
  done
  local cand v
  for cand in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [[ -n "$cand" && -x "$cand/bin/java" && -x "$cand/bin/javac" ]] || continue
    v=$("$cand/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2}')
    if [[ "${v%%.*}" =~ ^[0-9]+$ && "${v%%.*}" -ge 21 ]]; then echo "$cand"; return 0; fi
  done
  echo "facestream: no JDK >= 21 found (install Temurin 25, or set FACESTREAM_JAVA_HOME)" >&2
  return 1
}
