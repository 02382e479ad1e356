package io.github.jckks.math;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses, once per JVM, the {@link NttKernel} implementation, in the manner of Apache Lucene's
 * {@code VectorizationProvider}.
 *
 * <p>The Vector API kernel ({@code io.github.jckks.math.vector.VectorNttKernel}) is used when the incubator
 * module {@code jdk.incubator.vector} is readable (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}) and the C2 compiler is active (without C2 the Vector API is
 * interpreted and far slower than scalar code). Otherwise the portable {@link ScalarNttKernel} is used. The
 * system property {@code jckks.ntt} = {@code scalar} | {@code vector} | {@code auto} (default) forces the
 * choice; forcing {@code vector} when it is unavailable is an error. The choice is logged once, at INFO
 * level, through {@link System.Logger} named {@code io.github.jckks.math}.
 */
public final class NttKernels {
    /** System property that forces the kernel: scalar, vector or auto. */
    public static final String PROPERTY = "jckks.ntt";
    private static final String VECTOR_CLASS = "io.github.jckks.math.vector.VectorNttKernel";

    private NttKernels() {
    }

    private static final class Holder {
        static final NttKernel ACTIVE = choose();
    }

    /** @return the kernel chosen for this JVM */
    public static NttKernel get() {
        return Holder.ACTIVE;
    }

    /** @return the portable scalar kernel, always available */
    public static NttKernel scalar() {
        return ScalarNttKernel.INSTANCE;
    }

    /** @return the Vector API kernel if this JVM can run it, without logging */
    public static Optional<NttKernel> vector() {
        if (!vectorUsable()) {
            return Optional.empty();
        }
        try {
            return Optional.of((NttKernel) Class.forName(VECTOR_CLASS).getField("INSTANCE").get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * @return whether jckks's Vector API kernels can run well here: {@code jdk.incubator.vector} is readable and
     * the CPU has vectors of at least 256 bits (below that the API is emulated, slower than scalar code). Every
     * vector provider of the project (NTT, pointwise, multiply-accumulate) checks this before loading its class.
     */
    public static boolean vectorUsable() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false;
        }
        try {
            return (Boolean) Class.forName(VECTOR_CLASS).getMethod("hardwareSupported").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param name "scalar" or "vector"
     * @return that kernel
     * @throws IllegalStateException if the vector kernel is requested but unavailable
     */
    public static NttKernel byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scalar" -> scalar();
            case "vector" -> vector().orElseThrow(() -> new IllegalStateException(
                    "the vector NTT kernel is unavailable: start the JVM with --add-modules jdk.incubator.vector"));
            default -> throw new IllegalArgumentException("unknown NTT kernel '" + name + "': use scalar or vector");
        };
    }

    private static NttKernel choose() {
        System.Logger log = System.getLogger("io.github.jckks.math");
        String forced = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        NttKernel k;
        String why;
        if (forced.equals("scalar") || forced.equals("vector")) {
            k = byName(forced);
            why = "forced by -D" + PROPERTY + "=" + forced;
        } else if (!forced.equals("auto")) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + forced + " is not one of scalar, vector, auto");
        } else {
            Optional<NttKernel> v = vector();
            if (v.isEmpty()) {
                k = scalar();
                why = "jdk.incubator.vector is not readable (add --add-modules jdk.incubator.vector to use SIMD)";
            } else if (!c2Active()) {
                k = scalar();
                why = "the C2 compiler is not active, so the Vector API would be slow";
            } else {
                k = v.get();
                why = "jdk.incubator.vector readable and C2 active";
            }
        }
        log.log(System.Logger.Level.INFO, "jckks NTT kernel: " + k.name() + " (" + why + ")");
        return k;
    }

    private static boolean c2Active() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return false; // -Xint
        }
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean == null) {
                return true;
            }
            boolean tiered = Boolean.parseBoolean(bean.getVMOption("TieredCompilation").getValue());
            int stop = Integer.parseInt(bean.getVMOption("TieredStopAtLevel").getValue());
            return !tiered || stop >= 4;
        } catch (RuntimeException | LinkageError e) {
            return true; // not HotSpot, or no management module: assume an optimizing JIT
        }
    }
}
