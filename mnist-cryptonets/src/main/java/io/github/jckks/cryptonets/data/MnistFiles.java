package io.github.jckks.cryptonets.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the directory holding the official MNIST files (each either {@code .gz} or uncompressed): the two test files
 * for inference ({@link #locateTest}), all four for training ({@link #locate}). In order: the directory the user
 * gives (which must hold them); else {@code shared/data/mnist} beside the checkout (the launchers pass the checkout
 * as the system property {@value #CHECKOUT_PROPERTY}), then one or two levels above the working directory (so both
 * the project root and a module directory work); else the cache directory {@code ~/.cache/jckks/mnist}, filled on
 * first use by downloading the official {@code .gz} files that are needed from public mirrors and checking their
 * SHA-256. If nothing works, a {@link MnistUnavailableException} lists the alternatives.
 */
public final class MnistFiles {
    /** The system property naming the project's checkout ({@code bin/cryptonets} sets it). */
    public static final String CHECKOUT_PROPERTY = "jckks.checkout";

    /** Public mirrors serving the original {@code .gz} files, tried in order. */
    public static final List<URI> DEFAULT_MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"));

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final long MAX_DOWNLOAD_BYTES = 64L << 20;

    private final List<Path> roots;
    private final Path cacheDir;
    private final List<URI> mirrors;
    private final Duration timeout;

    /**
     * A locator with explicit search roots (for tests and embedding).
     *
     * @param workingDir the directory relative to which {@code ../shared/data/mnist} and
     *                   {@code ../../shared/data/mnist} are checked
     * @param cacheDir   where downloaded files are kept
     * @param mirrors    base URIs (ending in {@code /}) to download the {@code .gz} files from
     * @param timeout    connect and per-request timeout
     */
    public MnistFiles(Path workingDir, Path cacheDir, List<URI> mirrors, Duration timeout) {
        this(List.of(workingDir), cacheDir, mirrors, timeout);
    }

    private MnistFiles(List<Path> roots, Path cacheDir, List<URI> mirrors, Duration timeout) {
        this.roots = roots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
        this.mirrors = List.copyOf(mirrors);
        this.timeout = timeout;
    }

    /**
     * The default locator: beside the checkout ({@value #CHECKOUT_PROPERTY}, if set), above the current directory,
     * {@code ~/.cache/jckks/mnist}, the public mirrors.
     */
    public static MnistFiles defaults() {
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> roots = new ArrayList<>();
        String checkout = System.getProperty(CHECKOUT_PROPERTY);
        if (checkout != null && !checkout.isBlank()) {
            roots.add(Path.of(checkout)); // its ../shared/data/mnist is the one beside the checkout
        }
        roots.add(Path.of(""));
        return new MnistFiles(roots, home.resolve(".cache").resolve("jckks").resolve("mnist"), DEFAULT_MIRRORS,
                DEFAULT_TIMEOUT);
    }

    /** The local directories searched when the user gives none, in order (the cache last). */
    public List<Path> localCandidates() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path root : roots) {
            dirs.add(root.resolve("../shared/data/mnist").normalize());
            dirs.add(root.resolve("../../shared/data/mnist").normalize());
        }
        dirs.add(cacheDir);
        return List.copyOf(dirs);
    }

    /**
     * Finds a directory with all four official files without touching the network: the user's
     * directory when non-null, else the first complete local candidate.
     *
     * @return the directory, or {@code null} if none is complete and the user gave none
     * @throws MnistUnavailableException if the user's directory lacks some file
     */
    public Path findLocal(Path userDir) {
        return findLocal(userDir, MnistChecksums.all());
    }

    private Path findLocal(Path userDir, List<MnistChecksums.Entry> needed) {
        if (userDir != null) {
            List<String> missing = missing(userDir, needed);
            if (!missing.isEmpty()) {
                throw new MnistUnavailableException("MNIST directory " + userDir.toAbsolutePath() + " lacks "
                        + String.join(", ", missing) + " (each may be .gz or uncompressed); " + howToGet(needed));
            }
            return userDir;
        }
        for (Path dir : localCandidates()) {
            if (missing(dir, needed).isEmpty()) {
                return dir;
            }
        }
        return null;
    }

    /**
     * Finds a directory holding the two test files ({@code t10k-*}), as {@link #locate} does for all four: what
     * inference needs (the training files are neither required nor downloaded).
     *
     * @param userDir the directory given by the user, or {@code null}
     * @throws MnistUnavailableException if no directory holds them and the download fails
     */
    public Path locateTest(Path userDir) {
        return locate(userDir, MnistChecksums.test());
    }

    /**
     * Finds the directory as described in the class comment, downloading into the cache if needed.
     *
     * @param userDir the directory given by the user, or {@code null}
     * @throws MnistUnavailableException if no directory is complete and the download fails
     */
    public Path locate(Path userDir) {
        return locate(userDir, MnistChecksums.all());
    }

    private Path locate(Path userDir, List<MnistChecksums.Entry> needed) {
        Path found = findLocal(userDir, needed);
        if (found != null) {
            return found;
        }
        List<String> errors = new ArrayList<>();
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            errors.add("cannot create cache directory " + cacheDir + ": " + e);
        }
        if (errors.isEmpty()) {
            try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NORMAL).build()) {
                for (MnistChecksums.Entry entry : needed) {
                    if (MnistDataset.resolve(cacheDir, entry.baseName()).toFile().isFile()) {
                        continue;
                    }
                    if (!download(client, entry, errors)) {
                        break;
                    }
                }
            }
        }
        if (missing(cacheDir, needed).isEmpty()) {
            return cacheDir;
        }
        StringBuilder msg = new StringBuilder("MNIST files not found and could not be downloaded.\nLooked in:");
        for (Path dir : localCandidates()) {
            msg.append("\n  ").append(dir);
        }
        msg.append("\nDownload attempts:");
        for (String e : errors) {
            msg.append("\n  ").append(e);
        }
        msg.append('\n').append(howToGet(needed));
        throw new MnistUnavailableException(msg.toString());
    }

    private boolean download(HttpClient client, MnistChecksums.Entry entry, List<String> errors) {
        Path target = cacheDir.resolve(entry.gzName());
        for (URI mirror : mirrors) {
            URI uri = mirror.resolve(entry.gzName());
            Path tmp = cacheDir.resolve(entry.gzName() + ".part");
            try {
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout.multipliedBy(6)).GET().build();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        errors.add(uri + ": HTTP " + response.statusCode());
                        continue;
                    }
                    MessageDigest sha = MnistIdx.sha256();
                    long total = copy(body, tmp, sha);
                    String actual = MnistChecksums.hex(sha.digest());
                    if (!actual.equals(entry.gzSha256())) {
                        errors.add(uri + ": checksum mismatch, expected " + entry.gzSha256() + ", actual " + actual
                                + " (" + total + " bytes)");
                        Files.deleteIfExists(tmp);
                        continue;
                    }
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return true;
            } catch (IOException e) {
                errors.add(uri + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                errors.add(uri + ": interrupted");
                return false;
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort clean-up of a partial download
                }
            }
        }
        return false;
    }

    private static long copy(InputStream in, Path out, MessageDigest sha) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try (var os = Files.newOutputStream(out)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > MAX_DOWNLOAD_BYTES) {
                    throw new IOException("download exceeds " + MAX_DOWNLOAD_BYTES + " bytes");
                }
                sha.update(buf, 0, n);
                os.write(buf, 0, n);
            }
        }
        return total;
    }

    private static List<String> missing(Path dir, List<MnistChecksums.Entry> needed) {
        List<String> missing = new ArrayList<>();
        for (MnistChecksums.Entry entry : needed) {
            if (!Files.isRegularFile(MnistDataset.resolve(dir, entry.baseName()))) {
                missing.add(entry.gzName());
            }
        }
        return missing;
    }

    private String howToGet(List<MnistChecksums.Entry> all) {
        StringBuilder sb = new StringBuilder("Alternatives: pass --data DIR with a directory holding ");
        for (int i = 0; i < all.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(all.get(i).gzName());
        }
        sb.append("; or put them in ").append(cacheDir).append(". The files can be fetched from ");
        for (int i = 0; i < DEFAULT_MIRRORS.size(); i++) {
            sb.append(i == 0 ? "" : " or ").append(DEFAULT_MIRRORS.get(i));
        }
        return sb.append(" (SHA-256 values are in MnistChecksums).").toString();
    }
}
