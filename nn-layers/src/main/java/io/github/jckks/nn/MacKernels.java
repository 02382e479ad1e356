package io.github.jckks.nn;

import io.github.jckks.math.NttKernels;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the {@link MacKernel} once per JVM, following the NTT kernel's choice ({@link NttKernels}): the
 * Vector API kernel ({@code io.github.jckks.nn.vector.VectorMacKernel}) when the NTT runs vectorized, the
 * scalar one otherwise. The system property {@code jckks.mac} = scalar | vector | auto overrides it. Logged
 * once at INFO through {@link System.Logger} {@code io.github.jckks.nn}.
 */
public final class MacKernels {
    /** System property that forces the kernel. */
    public static final String PROPERTY = "jckks.mac";
    private static final String VECTOR_CLASS = "io.github.jckks.nn.vector.VectorMacKernel";

    private MacKernels() {
    }

    private static final class Holder {
        static final MacKernel ACTIVE = choose();
    }

    /** @return the kernel chosen for this JVM */
    public static MacKernel get() {
        return Holder.ACTIVE;
    }

    /** @return the Vector API kernel if available */
    public static Optional<MacKernel> vector() {
        if (!NttKernels.vectorUsable()) {
            return Optional.empty();
        }
        try {
            return Optional.of((MacKernel) Class.forName(VECTOR_CLASS).getField("INSTANCE").get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** @return the kernel named "scalar" or "vector" */
    public static MacKernel byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scalar" -> ScalarMacKernel.INSTANCE;
            case "vector" -> vector().orElseThrow(() -> new IllegalStateException(
                    "the vector MAC kernel is unavailable: start the JVM with --add-modules jdk.incubator.vector"));
            default -> throw new IllegalArgumentException("unknown MAC kernel '" + name + "': use scalar or vector");
        };
    }

    private static MacKernel choose() {
        String forced = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        MacKernel k;
        if (forced.equals("auto")) {
            boolean vectorNtt = NttKernels.get().name().startsWith("vector");
            k = vectorNtt ? vector().orElse(ScalarMacKernel.INSTANCE) : ScalarMacKernel.INSTANCE;
        } else {
            k = byName(forced);
        }
        System.getLogger("io.github.jckks.nn").log(System.Logger.Level.INFO,
                "jckks MAC kernel: " + k.name() + (forced.equals("auto") ? " (follows the NTT kernel)" : " (forced by -D" + PROPERTY + ")"));
        return k;
    }
}
