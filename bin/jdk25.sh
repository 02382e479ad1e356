# Sourced by bin/cryptonets, bin/clientaided and .ci/run: sets JAVA_HOME to a JDK 25 or newer, or fails with a message,
# and defines jckks_java, which runs java in place of the shell.
jckks_find_jdk() {
  local c v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    v=$("$c/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}
if ! JAVA_HOME=$(jckks_find_jdk); then
  echo "error: jckks needs JDK 25 or newer; none found in \$JAVA_HOME or /usr/lib/jvm." >&2
  echo "Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 25 warns about on every build.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

# jckks_java ARGS...: replaces the shell by "$JAVA_HOME/bin/java" ARGS, so that signals, the exit status and every
# byte of stderr are java's own. The JVM prints one line at startup, "WARNING: Using incubator modules:
# jdk.incubator.vector", when the Vector API is on: expected, and left as it is (a filter would have to be a
# process of its own, which can lose java's last output or hold back the progress bar's carriage returns).
jckks_java() {
  exec "$JAVA_HOME/bin/java" "$@"
}
