# Sourced by bin/cryptonets, bin/clientaided and .ci/run: sets JAVA_HOME to a JDK 25 or newer, or fails with a message,
# and defines jckks_java, which runs java without the JVM's incubator notice.
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

# jckks_java ARGS...: replaces the shell by "$JAVA_HOME/bin/java" ARGS (so signals and the exit status are java's),
# with stderr passed through a filter that drops the JVM's "WARNING: Using incubator modules" line and lets everything
# else through as it comes: the progress bars redraw with a carriage return and no newline, which a line filter
# (grep, sed) would hold back until the run ends. Only a partial line that may still become the notice is held.
jckks_java() {
  exec "$JAVA_HOME/bin/java" "$@" 2> >(exec perl -e '
    $| = 1;
    my $notice = "WARNING: Using incubator modules";
    my $buf = "";
    while (sysread(STDIN, my $chunk, 65536)) {
      $buf .= $chunk;
      while ($buf =~ s/\A([^\n]*\n)//) {
        print STDERR $1 unless index($1, $notice) == 0;
      }
      if (length($buf) > 0 && index($notice, $buf) != 0) {
        print STDERR $buf;
        $buf = "";
      }
    }
    print STDERR $buf;' >&2)
}
