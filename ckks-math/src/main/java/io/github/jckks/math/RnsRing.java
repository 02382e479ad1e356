package io.github.jckks.math;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The ring R<sub>Q</sub> = Z<sub>Q</sub>[X]/(X<sup>N</sup>+1) over an {@link RnsBasis}, with the arithmetic of
 * {@link RnsPoly} polynomials: transforms, additions, products, scalar products, automorphisms and the RNS
 * rescale (exact division by the last prime with rounding).
 *
 * <p>Every operation works limb by limb on the first {@code out.limbCount()} primes, so the same ring serves
 * all CKKS levels; inputs must have at least that many limbs. Outputs are explicit arguments and may alias
 * inputs unless stated otherwise. The element loops allocate nothing (per-thread scratch limbs serve the rescale and
 * the automorphism; {@link #scalarResidues} returns a small array).
 * Immutable and thread-safe; building it costs the NTT tables, O(N) per prime.
 */
public final class RnsRing {
    private final int logN;
    private final int n;
    private final RnsBasis basis;
    /** The basis's primes, shared by every polynomial this ring makes (never written). */
    private final long[] primeValues;
    private final NttTables[] tables;
    private final NttKernel[] kernels;
    /** rescaleInv[l][i] = q_l^{-1} mod q_i for i &lt; l, and its Shoup companion. */
    private final long[][] rescaleInv;
    private final long[][] rescaleInvShoup;
    /** The smallest N at which the NTT-form automorphism stages each source limb in scratch before its gather. */
    private static final int STAGED_GATHER_MIN_N = 4096;
    /**
     * Per-thread buffers of N residues: the rescale's (the last limb in coefficient form, and its reduction per
     * prime), the first also the automorphism's staging area (the two never nest).
     */
    private final ThreadLocal<long[][]> scratch;
    /**
     * The NTT-order permutation of each odd Galois element g in [1, 2N), at index g / 2, made on first use; the array
     * itself is made by the first automorphism in NTT form (a ring that never rotates, such as R_P, has none).
     */
    private volatile AtomicReferenceArray<int[]> automorphismIndex;

    /** A ring using the JVM's active NTT kernel ({@link NttKernels#get()}). */
    public RnsRing(int logN, RnsBasis basis) {
        this(logN, basis, NttKernels.get());
    }

    /**
     * @param logN   log2 N, in [1, 17]
     * @param basis  NTT-friendly primes for N
     * @param kernel the NTT kernel; primes it does not support use the scalar kernel
     * @throws IllegalArgumentException if a prime is not NTT-friendly for N
     */
    public RnsRing(int logN, RnsBasis basis, NttKernel kernel) {
        if (logN < 1 || logN > 17) {
            throw new IllegalArgumentException("logN " + logN + " out of range [1, 17]");
        }
        this.logN = logN;
        this.n = 1 << logN;
        this.basis = basis;
        this.primeValues = basis.primes();
        int k = basis.size();
        tables = new NttTables[k];
        kernels = new NttKernel[k];
        for (int i = 0; i < k; i++) {
            tables[i] = new NttTables(basis.modulus(i), logN);
            kernels[i] = kernel.supports(basis.modulus(i)) ? kernel : NttKernels.scalar();
        }
        rescaleInv = new long[k][];
        rescaleInvShoup = new long[k][];
        for (int l = 1; l < k; l++) {
            rescaleInv[l] = new long[l];
            rescaleInvShoup[l] = new long[l];
            for (int i = 0; i < l; i++) {
                Modulus qi = basis.modulus(i);
                rescaleInv[l][i] = qi.inverse(qi.reduce(basis.modulus(l).value()));
                rescaleInvShoup[l][i] = qi.shoup(rescaleInv[l][i]);
            }
        }
        final int len = n;
        scratch = ThreadLocal.withInitial(() -> new long[2][len]);
    }

    /** @return log2 N */
    public int logN() {
        return logN;
    }

    /** @return the ring degree N */
    public int n() {
        return n;
    }

    /** @return the RNS basis */
    public RnsBasis basis() {
        return basis;
    }

    /** @return the NTT tables of prime i */
    public NttTables tables(int i) {
        return tables[i];
    }

    /** @return the NTT kernel used for prime i */
    public NttKernel kernel(int i) {
        return kernels[i];
    }

    /** @return the i-th modulus */
    public Modulus modulus(int i) {
        return basis.modulus(i);
    }

    /** @return a new zero polynomial with {@code limbCount} limbs */
    public RnsPoly newPoly(int limbCount, boolean ntt) {
        checkLimbs(limbCount);
        return new RnsPoly(n, limbCount, ntt).withPrimes(primeValues);
    }

    /**
     * @return the given limb arrays (not copied: N residues each, limb i modulo this ring's i-th prime) as a
     *         polynomial of this ring, which the ring's operations then check like one it made (a deserializer's
     *         output, say)
     */
    public RnsPoly wrap(long[][] limbs, boolean ntt) {
        checkLimbs(limbs.length);
        RnsPoly p = new RnsPoly(limbs, ntt);
        if (p.n() != n) {
            throw new IllegalArgumentException("limbs of length " + p.n() + " for a ring of degree " + n);
        }
        return p.withPrimes(primeValues);
    }

    // ---------------------------------------------------------------- compact (32-bit) storage

    /**
     * Whether polynomials with {@code limbCount} limbs of this ring fit {@link CompactRnsPoly}: every one of
     * their primes is below 2<sup>32</sup>.
     */
    public boolean fitsCompact(int limbCount) {
        checkLimbs(limbCount);
        for (int i = 0; i < limbCount; i++) {
            if (basis.modulus(i).value() >>> 32 != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code a} with its residues stored in 32 bits each (half the memory). Cost: one pass over the residues.
     *
     * @throws IllegalArgumentException if a prime of a's limbs has more than 32 bits, or a does not belong to
     *                                  this ring
     */
    public CompactRnsPoly compact(RnsPoly a) {
        int k = a.limbCount();
        check(a, k);
        if (!fitsCompact(k)) {
            throw new IllegalArgumentException("compact storage needs primes below 2^32; limbs 0.." + (k - 1) + " of "
                    + basis + " include a larger one");
        }
        int[][] out = new int[k][n];
        for (int i = 0; i < k; i++) {
            narrow(a.limb(i), out[i]);
        }
        return new CompactRnsPoly(out, n, a.isNtt(), primeValues);
    }

    /**
     * out = c with 64-bit limbs: out must have c's degree and limb count (its form becomes c's). Cost: one pass
     * over the residues, no allocation.
     *
     * @throws IllegalArgumentException if the degree or the limb count differ
     */
    public void expand(CompactRnsPoly c, RnsPoly out) {
        if (c.n() != n || out.limbCount() != c.limbCount()) {
            throw new IllegalArgumentException("cannot expand " + c + " into " + out.limbCount() + " limbs of N = "
                    + out.n() + " (ring N = " + n + ")");
        }
        check(out, out.limbCount());
        checkPrimes(c.primes(), c.limbCount(), c.toString());
        for (int i = 0; i < c.limbCount(); i++) {
            widen(c.limb(i), out.limb(i));
        }
        out.setNtt(c.isNtt());
    }

    /** @return c with 64-bit limbs, newly allocated */
    public RnsPoly expand(CompactRnsPoly c) {
        RnsPoly out = newPoly(c.limbCount(), c.isNtt());
        expand(c, out);
        return out;
    }

    // plain counted loops: C2 vectorizes both conversions (vpmovqd / vpmovzxdq)
    private static void narrow(long[] src, int[] dst) {
        for (int j = 0; j < dst.length; j++) {
            dst[j] = (int) src[j];
        }
    }

    private static void widen(int[] src, long[] dst) {
        for (int j = 0; j < dst.length; j++) {
            dst[j] = src[j] & 0xFFFFFFFFL;
        }
    }

    // ---------------------------------------------------------------- transforms

    /** Transforms {@code p} to NTT form in place (no-op if it already is). Cost: one NTT per limb. */
    public void ntt(RnsPoly p) {
        check(p, p.limbCount());
        if (p.isNtt()) {
            return;
        }
        for (int i = 0; i < p.limbCount(); i++) {
            kernels[i].forward(p.limb(i), tables[i]);
        }
        p.setNtt(true);
    }

    /** Transforms {@code p} to coefficient form in place (no-op if it already is). */
    public void intt(RnsPoly p) {
        check(p, p.limbCount());
        if (!p.isNtt()) {
            return;
        }
        for (int i = 0; i < p.limbCount(); i++) {
            kernels[i].inverse(p.limb(i), tables[i]);
        }
        p.setNtt(false);
    }

    // ---------------------------------------------------------------- additive

    /** out = a + b. */
    public void add(RnsPoly a, RnsPoly b, RnsPoly out) {
        int k = out.limbCount();
        checkBinary(a, b, out);
        for (int i = 0; i < k; i++) {
            ModArith.add(a.limb(i), b.limb(i), out.limb(i), basis.modulus(i).value());
        }
        out.setNtt(a.isNtt());
    }

    /** out = a - b. */
    public void sub(RnsPoly a, RnsPoly b, RnsPoly out) {
        int k = out.limbCount();
        checkBinary(a, b, out);
        for (int i = 0; i < k; i++) {
            ModArith.sub(a.limb(i), b.limb(i), out.limb(i), basis.modulus(i).value());
        }
        out.setNtt(a.isNtt());
    }

    /** out = -a. */
    public void negate(RnsPoly a, RnsPoly out) {
        int k = out.limbCount();
        check(a, k);
        check(out, k);
        for (int i = 0; i < k; i++) {
            ModArith.negate(a.limb(i), out.limb(i), basis.modulus(i).value());
        }
        out.setNtt(a.isNtt());
    }

    // ---------------------------------------------------------------- multiplicative

    /** out = a &odot; b (pointwise; both in NTT form for a ring product). One Barrett reduction per residue. */
    public void mulPointwise(RnsPoly a, RnsPoly b, RnsPoly out) {
        int k = out.limbCount();
        checkBinary(a, b, out);
        for (int i = 0; i < k; i++) {
            ModArith.mul(a.limb(i), b.limb(i), out.limb(i), basis.modulus(i));
        }
        out.setNtt(a.isNtt());
    }

    /** acc = acc + a &odot; b (pointwise multiply-accumulate, acc reduced). */
    public void mulAddPointwise(RnsPoly a, RnsPoly b, RnsPoly acc) {
        mulAddPointwise(a, b, acc, acc);
    }

    /** out = c + a &odot; b in one pass per limb (out may be c). */
    public void mulAddPointwise(RnsPoly a, RnsPoly b, RnsPoly c, RnsPoly out) {
        int k = out.limbCount();
        checkBinary(a, b, out);
        check(c, k);
        checkSameForm(a, c);
        for (int i = 0; i < k; i++) {
            ModArith.mulAdd(a.limb(i), b.limb(i), c.limb(i), out.limb(i), basis.modulus(i));
        }
        out.setNtt(c.isNtt());
    }

    /**
     * The product of (a0 + a1 s) and (b0 + b1 s) as (c0, c1, c2) = (a0 b0, a0 b1 + a1 b0, a1 b1), pointwise (NTT
     * form), one pass per limb; the outputs may be any of the inputs. Cost: 4 (k) N modular products.
     */
    public void tensor(RnsPoly a0, RnsPoly a1, RnsPoly b0, RnsPoly b1, RnsPoly c0, RnsPoly c1, RnsPoly c2) {
        int k = c0.limbCount();
        checkBinary(a0, b0, c0);
        checkBinary(a1, b1, c1);
        check(c2, k);
        for (int i = 0; i < k; i++) {
            ModArith.tensor(a0.limb(i), a1.limb(i), b0.limb(i), b1.limb(i), c0.limb(i), c1.limb(i), c2.limb(i),
                    basis.modulus(i));
        }
        c0.setNtt(a0.isNtt());
        c1.setNtt(a0.isNtt());
        c2.setNtt(a0.isNtt());
    }

    /**
     * The twisted butterfly on every limb: lo = (x + y) - w &odot; (x - y), hi = (x + y) + w &odot; (x - y), one product
     * per residue; lo and hi may be x or y. x, y and w in the same form (w is a fixed polynomial, e.g. a monomial
     * in NTT form).
     */
    public void twistedButterfly(RnsPoly x, RnsPoly y, RnsPoly w, RnsPoly lo, RnsPoly hi) {
        int k = lo.limbCount();
        checkBinary(x, y, lo);
        check(w, k);
        check(hi, k);
        for (int i = 0; i < k; i++) {
            ModArith.twistedButterfly(x.limb(i), y.limb(i), w.limb(i), lo.limb(i), hi.limb(i), basis.modulus(i));
        }
        lo.setNtt(x.isNtt());
        hi.setNtt(x.isNtt());
    }

    /**
     * acc = acc + a &odot; b as unreduced 64-bit sums (lazy multiply-accumulate): every prime must be below
     * 2<sup>31</sup> and the caller must add at most {@link #lazyTerms()} products before {@link #reduceLazy}. The
     * accumulator's limbs hold integers, not residues, until then.
     */
    public void mulAddPointwiseLazy(RnsPoly a, RnsPoly b, RnsPoly acc) {
        int k = acc.limbCount();
        checkBinary(a, b, acc);
        checkSameForm(a, acc);
        for (int i = 0; i < k; i++) {
            ModArith.mulAddLazy(a.limb(i), b.limb(i), acc.limb(i));
        }
    }

    /**
     * acc0 += a &odot; b0 and acc1 += a &odot; b1 lazily, in one pass over a (key switching's two key parts); with
     * {@code first} the first term of the sums: acc0 = a &odot; b0 and acc1 = a &odot; b1 (whatever the accumulators
     * held; their form becomes a's), so that they need no clearing.
     */
    public void mulAddPointwiseLazy2(RnsPoly a, RnsPoly b0, RnsPoly b1, RnsPoly acc0, RnsPoly acc1, boolean first) {
        int k = acc0.limbCount();
        checkBinary(a, b0, acc0);
        checkBinary(a, b1, acc1);
        prepareAccumulators(a, acc0, acc1, first);
        for (int i = 0; i < k; i++) {
            ModArith.mulAddLazy2(a.limb(i), b0.limb(i), b1.limb(i), acc0.limb(i), acc1.limb(i), first);
        }
    }

    /**
     * {@link #mulAddPointwiseLazy2(RnsPoly, RnsPoly, RnsPoly, RnsPoly, RnsPoly, boolean)} with b0 and b1 in 32-bit storage (a
     * key-switching key kept compact): the same sums, half the bytes read for b0 and b1. b0 and b1 may have more
     * limbs than the accumulators (a key made at the top level meets a lower one); the first acc0.limbCount() are used.
     * With {@code first}, the first term: acc0 = a &odot; b0 and acc1 = a &odot; b1 (no clearing needed).
     */
    public void mulAddPointwiseLazy2(RnsPoly a, CompactRnsPoly b0, CompactRnsPoly b1, RnsPoly acc0, RnsPoly acc1,
                                     boolean first) {
        int k = acc0.limbCount();
        check(a, k);
        check(acc0, k);
        check(acc1, k);
        checkCompactOperand(b0, k, a.isNtt());
        checkCompactOperand(b1, k, a.isNtt());
        prepareAccumulators(a, acc0, acc1, first);
        for (int i = 0; i < k; i++) {
            ModArith.mulAddLazy2(a.limb(i), b0.limb(i), b1.limb(i), acc0.limb(i), acc1.limb(i), first);
        }
    }

    /**
     * out = &Sigma;<sub>i</sub> a[i] &odot; b[i], a dot product of pointwise products, computed limb by limb: one limb
     * of out stays in cache while every term's limb is added to it (each operand limb read once). With a prime below
     * 2<sup>31</sup> the products of its limb are summed as unreduced 64-bit integers and reduced once per
     * 2<sup>63</sup>/q<sup>2</sup> of them (lazy reduction); with a larger prime each product is reduced. The result is
     * fully reduced and equals the sum of the reduced products. out must not share a limb with an operand.
     * Cost: terms &middot; k &middot; N multiply-adds, k &middot; ceil(terms / lazy) reduction passes.
     *
     * @throws IllegalArgumentException if the arrays are empty or of different lengths, or an operand is of another
     *                                  ring, too short or of another form
     */
    public void dotPointwise(RnsPoly[] a, RnsPoly[] b, RnsPoly out) {
        if (a.length == 0 || a.length != b.length) {
            throw new IllegalArgumentException("dot product of " + a.length + " and " + b.length + " operands");
        }
        int k = out.limbCount();
        for (int i = 0; i < a.length; i++) {
            checkBinary(a[i], b[i], out);
            checkSameForm(a[0], a[i]);
            for (int j = 0; j < k; j++) {
                if (a[i].limb(j) == out.limb(j) || b[i].limb(j) == out.limb(j)) {
                    throw new IllegalArgumentException("dot product: the output shares limb " + j + " with operand " + i);
                }
            }
        }
        for (int j = 0; j < k; j++) {
            long[] z = out.limb(j);
            Modulus m = basis.modulus(j);
            long q = m.value();
            long lazy = lazyTerms(q);
            java.util.Arrays.fill(z, 0L);
            long pending = 0;
            for (int i = 0; i < a.length; i++) {
                if (lazy == 0) {
                    ModArith.mulAdd(a[i].limb(j), b[i].limb(j), z, m);
                } else {
                    ModArith.mulAddLazy(a[i].limb(j), b[i].limb(j), z);
                    pending = countLazyTerm(z, m, lazy, pending);
                }
            }
            if (pending > 0) {
                ModArith.reduceLazy(z, m);
            }
        }
        out.setNtt(a[0].isNtt());
    }

    /** After a lazy term added to z: the terms pending, z reduced (and the count restarted) once it holds {@code lazy}. */
    private static long countLazyTerm(long[] z, Modulus m, long lazy, long pending) {
        if (++pending == lazy) {
            ModArith.reduceLazy(z, m);
            return 0;
        }
        return pending;
    }

    /**
     * out = &Sigma;<sub>i</sub> a[i] &middot; c<sub>i</sub> with constants given per prime ({@code scalarResidues[i][j]} = c<sub>i</sub> mod
     * q<sub>j</sub>, reduced), over out.limbCount() limbs, limb by limb like {@link #dotPointwise}: unreduced 64-bit sums
     * reduced once per {@link #lazyTerms} terms for primes below 2<sup>31</sup>, a Shoup product and addition per
     * term for larger ones. A null row of {@code scalarResidues} skips its term (a zero constant). out must not
     * share a limb with an operand. Cost: terms &middot; k &middot; N multiply-adds, k &middot; ceil(terms / lazy)
     * reduction passes.
     *
     * @throws IllegalArgumentException if the arrays are empty or of different lengths, an operand is of another ring,
     *                                  too short or of another form, or a row has fewer residues than out has limbs or
     *                                  one outside [0, q)
     */
    public void dotScalar(RnsPoly[] a, long[][] scalarResidues, RnsPoly out) {
        if (a.length == 0 || a.length != scalarResidues.length) {
            throw new IllegalArgumentException("scalar dot product of " + a.length + " operands and " + scalarResidues.length
                    + " constants");
        }
        int k = out.limbCount();
        for (int i = 0; i < a.length; i++) {
            checkBinary(a[i], a[i], out);
            checkSameForm(a[0], a[i]);
            if (scalarResidues[i] != null) {
                checkScalars(scalarResidues[i], k); // reduced: the lazy sums' bound and the SIMD 32-bit operands need it
            }
            for (int j = 0; j < k; j++) {
                if (a[i].limb(j) == out.limb(j)) {
                    throw new IllegalArgumentException("scalar dot product: the output shares limb " + j + " with operand " + i);
                }
            }
        }
        for (int j = 0; j < k; j++) {
            long[] z = out.limb(j);
            Modulus m = basis.modulus(j);
            long lazy = lazyTerms(m.value());
            java.util.Arrays.fill(z, 0L);
            long pending = 0;
            for (int i = 0; i < a.length; i++) {
                if (scalarResidues[i] == null) {
                    continue;
                }
                long w = scalarResidues[i][j];
                if (lazy == 0) {
                    ModArith.mulScalarAdd(a[i].limb(j), w, m.shoup(w), z, m);
                } else {
                    ModArith.mulScalarAddLazy(a[i].limb(j), w, z);
                    pending = countLazyTerm(z, m, lazy, pending);
                }
            }
            if (pending > 0) {
                ModArith.reduceLazy(z, m);
            }
        }
        out.setNtt(a[0].isNtt());
    }

    /** @return how many products of residues a lazy accumulation may add: 2<sup>63</sup> / max q<sup>2</sup>, 0 if a prime exceeds 31 bits */
    public int lazyTerms() {
        long max = 0;
        for (int i = 0; i < basis.size(); i++) {
            max = Math.max(max, basis.modulus(i).value());
        }
        return (int) Math.min(Integer.MAX_VALUE, lazyTerms(max));
    }

    /** @return how many products of residues below q a lazy sum may add: 2<sup>63</sup> / q<sup>2</sup>, 0 from 2<sup>31</sup> */
    private static long lazyTerms(long q) {
        return q >= (1L << 31) ? 0 : Long.MAX_VALUE / (q * q);
    }

    /** acc = acc mod q<sub>i</sub> on every limb: the end of a lazy accumulation. */
    public void reduceLazy(RnsPoly acc) {
        int k = acc.limbCount();
        check(acc, k);
        for (int i = 0; i < k; i++) {
            ModArith.reduceLazy(acc.limb(i), basis.modulus(i));
        }
    }

    /**
     * out = a &middot; c where the constant c is given by its residues c<sub>i</sub> = c mod q<sub>i</sub> (one
     * value per prime: nGraph-HE2's scalar encoding). Works in either form; one Shoup product per residue.
     */
    public void mulScalar(RnsPoly a, long[] scalarResidues, RnsPoly out) {
        int k = out.limbCount();
        check(a, k);
        check(out, k);
        checkScalars(scalarResidues, k);
        for (int i = 0; i < k; i++) {
            Modulus m = basis.modulus(i);
            ModArith.mulScalar(a.limb(i), scalarResidues[i], m.shoup(scalarResidues[i]), out.limb(i), m);
        }
        out.setNtt(a.isNtt());
    }

    /** acc = acc + a &middot; c with c given per prime (see {@link #mulScalar}). */
    public void mulScalarAdd(RnsPoly a, long[] scalarResidues, RnsPoly acc) {
        int k = acc.limbCount();
        check(a, k);
        check(acc, k);
        checkSameForm(a, acc);
        checkScalars(scalarResidues, k);
        for (int i = 0; i < k; i++) {
            Modulus m = basis.modulus(i);
            ModArith.mulScalarAdd(a.limb(i), scalarResidues[i], m.shoup(scalarResidues[i]), acc.limb(i), m);
        }
    }

    /**
     * out = a + c for a constant c given per prime. In NTT form the constant polynomial c evaluates to c
     * everywhere, so every residue moves; in coefficient form only the constant coefficient does.
     */
    public void addScalar(RnsPoly a, long[] scalarResidues, RnsPoly out) {
        int k = out.limbCount();
        check(a, k);
        check(out, k);
        checkScalars(scalarResidues, k);
        for (int i = 0; i < k; i++) {
            long q = basis.modulus(i).value();
            long c = scalarResidues[i];
            long[] x = a.limb(i);
            long[] z = out.limb(i);
            if (a.isNtt()) {
                ModArith.addScalar(x, c, z, q);
            } else {
                if (z != x) {
                    System.arraycopy(x, 0, z, 0, n);
                }
                long s = x[0] + c;
                z[0] = s >= q ? s - q : s;
            }
        }
        out.setNtt(a.isNtt());
    }

    /** @return the residues of the signed integer c modulo the first {@code count} primes */
    public long[] scalarResidues(long c, int count) {
        checkLimbs(count);
        long[] r = new long[count];
        for (int i = 0; i < count; i++) {
            r[i] = basis.modulus(i).reduceSigned(c);
        }
        return r;
    }

    /** out = a &middot; c for a signed 64-bit integer c. */
    public void mulInteger(RnsPoly a, long c, RnsPoly out) {
        mulScalar(a, scalarResidues(c, out.limbCount()), out);
    }

    // ---------------------------------------------------------------- encoding of small polynomials

    /**
     * Sets {@code out} (coefficient form) to the polynomial with the given signed integer coefficients, e.g. a
     * ternary secret or a Gaussian error, reduced modulo each prime.
     */
    public void setSigned(long[] coefficients, RnsPoly out) {
        if (coefficients.length != n) {
            throw new IllegalArgumentException(coefficients.length + " coefficients for N = " + n);
        }
        check(out, out.limbCount());
        long bits = 0; // an upper bound of every |v| (negative if some v is Long.MIN_VALUE)
        for (long v : coefficients) {
            bits |= Math.abs(v);
        }
        for (int i = 0; i < out.limbCount(); i++) {
            Modulus m = basis.modulus(i);
            long q = m.value();
            long[] z = out.limb(i);
            if (bits >= 0 && bits < q) { // small coefficients (errors, secrets): one conditional addition each
                for (int j = 0; j < n; j++) {
                    long v = coefficients[j];
                    z[j] = v + ((v >> 63) & q);
                }
                continue;
            }
            for (int j = 0; j < n; j++) {
                // branch-free reduceSigned: error coefficients have random signs, a branch would mispredict
                long v = coefficients[j];
                long sign = v >> 63;
                long r = m.reduce((v ^ sign) - sign); // |v| as an unsigned 64-bit value
                r += sign & (q - 2 * r);                // q - r for negative v
                z[j] = r >= q ? r - q : r;
            }
        }
        out.setNtt(false);
    }

    // ---------------------------------------------------------------- automorphisms

    /**
     * out = a(X<sup>g</sup>) for odd g (the Galois automorphism &sigma;<sub>g</sub>), in either form. In
     * coefficient form X<sup>i</sup> goes to &plusmn;X<sup>ig mod N</sup>; in NTT form it permutes the
     * evaluations. {@code out} must not alias {@code a}. Cost: one pass over the residues (in NTT form from
     * N = 4096 on, a streaming copy of each source limb into per-thread scratch before its gather).
     */
    public void automorphism(RnsPoly a, int galois, RnsPoly out) {
        if ((galois & 1) == 0) {
            throw new IllegalArgumentException("Galois element " + galois + " is even: X -> X^k needs odd k");
        }
        if (a == out || (a.limbCount() > 0 && a.limb(0) == out.limb(0))) {
            throw new IllegalArgumentException("automorphism output must not alias its input");
        }
        int k = out.limbCount();
        check(a, k);
        check(out, k);
        int twoN = 2 * n;
        int g = Math.floorMod(galois, twoN);
        if (a.isNtt()) {
            int[] idx = automorphismNttIndex(g);
            // The gather reads its source all over the limb. A limb that comes from L3 (a ciphertext at N = 16384 is
            // megabytes) costs a cache miss per residue that way: 3.2 ns against 0.8 from L2. From N = 4096 on, one
            // sequential copy into a per-thread buffer first brings it to L2 at streaming speed (1.5 ns in all); a
            // smaller limb is cheap to gather where it is (the copy cost 0.2-0.4 ns per residue there when hot).
            long[] staged = n >= STAGED_GATHER_MIN_N ? scratch.get()[0] : null;
            for (int i = 0; i < k; i++) {
                long[] x = a.limb(i);
                long[] z = out.limb(i);
                long[] src = x;
                if (staged != null) {
                    System.arraycopy(x, 0, staged, 0, n);
                    src = staged;
                }
                for (int j = 0; j < n; j++) {
                    z[j] = src[idx[j]];
                }
            }
        } else {
            for (int i = 0; i < k; i++) {
                long q = basis.modulus(i).value();
                long[] x = a.limb(i);
                long[] z = out.limb(i);
                long pos = 0;
                for (int j = 0; j < n; j++) {
                    int t = (int) pos;
                    long v = x[j];
                    if (t < n) {
                        z[t] = v;
                    } else {
                        z[t - n] = v == 0 ? 0 : q - v;
                    }
                    pos += g;
                    if (pos >= twoN) {
                        pos -= twoN;
                    }
                }
            }
        }
        out.setNtt(a.isNtt());
    }


    /**
     * The permutation that applies X -&gt; X<sup>g</sup> in NTT form: out[j] = in[index[j]]. Slot j holds
     * a(&psi;<sup>2 brv(j) + 1</sup>), and &sigma;<sub>g</sub>(a) there equals a(&psi;<sup>(2 brv(j) + 1) g</sup>).
     * Cached per g.
     */
    public int[] automorphismNttIndex(int galois) {
        if ((galois & 1) == 0) {
            throw new IllegalArgumentException("Galois element " + galois + " is even: X -> X^k needs odd k");
        }
        int g = Math.floorMod(galois, 2 * n);
        AtomicReferenceArray<int[]> cache = automorphismIndex;
        if (cache == null) {
            synchronized (this) {
                cache = automorphismIndex;
                if (cache == null) {
                    cache = new AtomicReferenceArray<>(n);
                    automorphismIndex = cache;
                }
            }
        }
        int[] idx = cache.get(g >>> 1); // no boxing: this runs once per rotation
        if (idx != null) {
            return idx;
        }
        idx = new int[n];
        long mask = 2L * n - 1;
        for (int j = 0; j < n; j++) {
            int r = NttTables.bitReverse(j, logN);
            long e = ((2L * r + 1) * g) & mask;
            idx[j] = NttTables.bitReverse((int) ((e - 1) >>> 1), logN);
        }
        return cache.compareAndSet(g >>> 1, null, idx) ? idx : cache.get(g >>> 1);
    }

    // ---------------------------------------------------------------- rescale

    /**
     * The RNS rescale: out = round(a / q<sub>l</sub>) modulo q<sub>0</sub>&hellip;q<sub>l-1</sub>, where q<sub>l</sub>
     * is the last prime of {@code a} (l + 1 = a.limbCount()): the exact rounding division of each integer
     * coefficient, computed as (a<sub>i</sub> - [w]<sub>q<sub>i</sub></sub>) &middot; q<sub>l</sub><sup>-1</sup> mod
     * q<sub>i</sub> with w the centred residue of a modulo q<sub>l</sub>. Works in either form; in NTT form it
     * costs one inverse NTT and l forward NTTs. {@code out} has l limbs and may be {@code a.view(l)}.
     */
    public void rescale(RnsPoly a, RnsPoly out) {
        rescale(a, null, out);
    }

    /**
     * out = round((a + e) / q<sub>l</sub>) for a small signed integer polynomial e given by its coefficients (|e<sub>j</sub>|
     * below every prime, else IllegalArgumentException), without transforming e: it is added to the last limb after its inverse NTT and
     * subtracted from the centred residue before the forward NTTs, since (a<sub>i</sub> + e) - [a + e]<sub>q<sub>l</sub></sub>
     * = a<sub>i</sub> - ([a + e]<sub>q<sub>l</sub></sub> - e). A fresh error term that is rescaled right away (the
     * re-randomization of a client-aided server) so costs 2 n additions instead of l + 1 NTTs. {@code e} null: the
     * plain {@link #rescale(RnsPoly, RnsPoly)}. Cost: one inverse NTT and l forward NTTs in NTT form.
     */
    public void rescale(RnsPoly a, long[] e, RnsPoly out) {
        if (e != null && e.length != n) {
            throw new IllegalArgumentException(e.length + " addend coefficients for N = " + n);
        }
        int l = a.limbCount() - 1;
        if (l < 1) {
            throw new IllegalArgumentException("cannot rescale a polynomial with a single prime left");
        }
        if (out.limbCount() != l) {
            throw new IllegalArgumentException("rescale output has " + out.limbCount() + " limbs, expected " + l);
        }
        check(a, l + 1);
        check(out, l);
        final Modulus ql = basis.modulus(l);
        final long qlValue = ql.value();
        final long half = qlValue >>> 1;
        final boolean ntt = a.isNtt();
        long[][] buffers = scratch.get();
        long[] last = buffers[0];
        System.arraycopy(a.limb(l), 0, last, 0, n);
        if (ntt) {
            kernels[l].inverse(last, tables[l]);
        }
        if (e != null) {
            addSmall(last, e, 1, qlValue);
        }
        long[] t = buffers[1];
        for (int i = 0; i < l; i++) {
            Modulus qi = basis.modulus(i);
            long q = qi.value();
            long qlModQi = qi.reduce(qlValue);
            PointwiseKernel fastCentre = ModArith.fast();
            if (fastCentre != null && qi.bits() >= 16 && qi.bits() <= 30 && ql.bits() <= 30) {
                fastCentre.centredReduce(last, qlValue, t, qi);
            } else {
                for (int j = 0; j < n; j++) {
                    long v = last[j];
                    // centred residue w = v or v - q_l, reduced modulo q_i
                    long r = qi.reduce(v);
                    if (v > half) {
                        r -= qlModQi;
                        if (r < 0) {
                            r += q;
                        }
                    }
                    t[j] = r;
                }
            }
            if (e != null) {
                addSmall(t, e, -1, q);
            }
            if (ntt) {
                kernels[i].forward(t, tables[i]);
            }
            long inv = rescaleInv[l][i];
            long invShoup = rescaleInvShoup[l][i];
            long[] x = a.limb(i);
            long[] z = out.limb(i);
            PointwiseKernel fast = ModArith.fast();
            if (fast != null && qi.bits() <= 30) {
                fast.subMulScalar(x, t, inv, z, qi);
                continue;
            }
            for (int j = 0; j < n; j++) {
                long r = qi.mulShoupLazy(x[j] - t[j] + q, inv, invShoup);
                z[j] = r >= q ? r - q : r;
            }
        }
        out.setNtt(ntt);
    }

    /**
     * z = z + sign &middot; e mod q for residues z in [0, q), sign = &plusmn;1 and |e| &lt; q.
     *
     * @throws IllegalArgumentException if some |e<sub>j</sub>| is not below q (z is then garbage)
     */
    private static void addSmall(long[] z, long[] e, int sign, long q) {
        PointwiseKernel fast = ModArith.fast();
        long bits = fast != null ? fast.addSigned(z, e, sign, q) : addSignedScalar(z, e, sign, q);
        if (bits < 0 || bits >= q) {
            throw new IllegalArgumentException("rescale addend: a coefficient's magnitude is not below the prime " + q
                    + " (the addend must be a small error polynomial)");
        }
    }

    /** The scalar {@link PointwiseKernel#addSigned}. */
    static long addSignedScalar(long[] z, long[] e, int sign, long q) {
        long bits = 0; // an upper bound of every |e_j| (negative for Long.MIN_VALUE)
        for (int j = 0; j < z.length; j++) {
            bits |= Math.abs(e[j]);
            long v = z[j] + sign * e[j]; // in (-q, 2q)
            v += (v >> 63) & q;
            z[j] = v >= q ? v - q : v;
        }
        return bits;
    }

    // ---------------------------------------------------------------- checks

    private void checkLimbs(int count) {
        if (count < 1 || count > basis.size()) {
            throw new IllegalArgumentException(count + " limbs out of range [1, " + basis.size() + "] for this ring");
        }
    }

    private void check(RnsPoly p, int count) {
        if (p.n() != n) {
            throw new IllegalArgumentException("polynomial of degree " + p.n() + " used in a ring of degree " + n);
        }
        checkLimbs(count);
        if (p.limbCount() < count) {
            throw new IllegalArgumentException("polynomial has " + p.limbCount() + " limbs, operation needs " + count);
        }
        checkPrimes(p.primes(), Math.min(count, p.limbCount()), "polynomial");
    }

    /**
     * Refuses, with an {@link IllegalArgumentException} naming both prime lists, a polynomial made by a ring whose
     * primes differ from this one's on its limbs (an object of another parameter set); one of unknown origin passes.
     * For code that reads limbs without a ring operation (a serializer, a layer's kernel).
     */
    public void requireOwn(RnsPoly p) {
        check(p, Math.min(p.limbCount(), basis.size()));
    }

    /** {@link #requireOwn(RnsPoly)} for a polynomial in 32-bit storage. */
    public void requireOwn(CompactRnsPoly c) {
        if (c.n() != n) {
            throw new IllegalArgumentException("compact polynomial of degree " + c.n() + " used in a ring of degree " + n);
        }
        checkPrimes(c.primes(), c.limbCount(), "compact polynomial");
    }

    /**
     * Refuses an object made by a ring whose primes differ from this one's on its first {@code count} limbs: objects
     * of two parameter sets (of the same N) mixed. {@code primes} null: of unknown origin, not checked.
     */
    private void checkPrimes(long[] primes, int count, String what) {
        if (primes == null || primes == primeValues) {
            return;
        }
        int k = Math.min(count, Math.min(primes.length, primeValues.length));
        for (int i = 0; i < k; i++) {
            if (primes[i] != primeValues[i]) {
                throw new IllegalArgumentException("a " + what + " of the primes " + java.util.Arrays.toString(
                        java.util.Arrays.copyOf(primes, Math.min(primes.length, count))) + " used in a ring of the primes "
                        + java.util.Arrays.toString(java.util.Arrays.copyOf(primeValues, Math.min(primeValues.length, count)))
                        + ": objects of different parameter sets are mixed (limb " + i + ": " + primes[i] + " vs "
                        + primeValues[i] + ")");
            }
        }
    }

    /** A first term sets the accumulators' form to a's (their content is overwritten); later ones require it. */
    private static void prepareAccumulators(RnsPoly a, RnsPoly acc0, RnsPoly acc1, boolean first) {
        if (first) {
            acc0.setNtt(a.isNtt());
            acc1.setNtt(a.isNtt());
        }
        checkSameForm(a, acc0);
        checkSameForm(a, acc1);
    }

    private void checkCompactOperand(CompactRnsPoly b, int k, boolean ntt) {
        checkPrimes(b.primes(), Math.min(k, b.limbCount()), "compact polynomial");
        if (b.n() != n || b.limbCount() < k || b.isNtt() != ntt) {
            throw new IllegalArgumentException("operand " + b + " does not match " + k + " limbs of N = " + n
                    + (ntt ? " in NTT form" : " in coefficient form"));
        }
    }

    private void checkBinary(RnsPoly a, RnsPoly b, RnsPoly out) {
        int k = out.limbCount();
        check(a, k);
        check(b, k);
        check(out, k);
        if (a.isNtt() != b.isNtt()) {
            throw new IllegalArgumentException("operands in different forms (NTT " + a.isNtt() + " vs " + b.isNtt() + ")");
        }
    }

    private static void checkSameForm(RnsPoly a, RnsPoly acc) {
        if (a.isNtt() != acc.isNtt()) {
            throw new IllegalArgumentException("accumulator in " + (acc.isNtt() ? "NTT" : "coefficient")
                    + " form, operands in the other");
        }
    }

    private void checkScalars(long[] s, int k) {
        if (s.length < k) {
            throw new IllegalArgumentException(s.length + " scalar residues for " + k + " primes");
        }
        for (int i = 0; i < k; i++) {
            if (s[i] < 0 || s[i] >= basis.modulus(i).value()) {
                throw new IllegalArgumentException("scalar residue " + s[i] + " not in [0, q_" + i + ") for q_" + i
                        + " = " + basis.modulus(i).value());
            }
        }
    }
}
