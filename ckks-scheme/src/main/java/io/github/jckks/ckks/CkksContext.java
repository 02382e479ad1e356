package io.github.jckks.ckks;

import io.github.jckks.math.BasisExtension;
import io.github.jckks.math.ModArith;
import io.github.jckks.math.Modulus;
import io.github.jckks.math.PointwiseKernel;
import io.github.jckks.math.RnsBasis;
import io.github.jckks.math.RnsPoly;
import io.github.jckks.math.RnsRing;

/**
 * Everything precomputed once for a {@link CkksParameters} set, as SEAL's context: the rings R<sub>Q</sub>
 * (data primes) and R<sub>P</sub> (special primes) with their NTT tables, the constants of the rescale, and the
 * basis extensions of hybrid key switching (ModUp per level and digit, ModDown per level). Building it costs
 * O((L + k) N) plus the prime tables and O(L D (L + k)) for the ModUp plans of every level and digit. Immutable and
 * thread-safe; share one instance among all objects made with the same parameters.
 *
 * <p>With no special prime (k = 0, {@link CkksParameters#supportsKeySwitching()} false) there is no ring R<sub>P</sub>
 * and no ModUp or ModDown table: {@link #ringP()} throws, P = 1 ({@link #log2P()} is 0), and the rest (R<sub>Q</sub>,
 * rescale constants) is built as usual.
 */
public final class CkksContext {
    private final CkksParameters params;
    private final RnsBasis basisQ;
    /** The special primes' basis and ring; null when there is no special prime. */
    private final RnsBasis basisP;
    private final RnsRing ringQ;
    private final RnsRing ringP;
    /** P mod q_i. */
    private final long[] pModQ;
    /** P^{-1} mod q_i and its Shoup companion. */
    private final long[] pInvModQ;
    private final long[] pInvModQShoup;
    /** modDown[l]: conversion from P to q_0..q_l (null entries when there is no special prime). */
    private final BasisExtension[] modDown;
    /**
     * Composite rescale (d &gt; 1 primes per rescale; null entries otherwise and for l &lt; d): rescaleDown[l] converts
     * from q_(l-d+1)..q_l to q_0..q_(l-d); rescaleInv[l][i] is (q_(l-d+1) ... q_l)^-1 mod q_i, with its Shoup companion.
     */
    private final BasisExtension[] rescaleDown;
    /** Per thread: the last d limbs of a polynomial being rescaled (composite). */
    private final ThreadLocal<LimbView> droppedView;
    private final long[][] rescaleInv;
    private final long[][] rescaleInvShoup;
    /**
     * Per level l &ge; d (d the composite degree, 1 without composite scaling): the extension from the divisor
     * D = q<sub>l-d+1</sub> &middot;&middot;&middot; q<sub>l</sub> &middot; P to q<sub>0</sub>..q<sub>l-d</sub> of the fused ModDown and
     * rescale ({@link #modDownAndRescale}), and D<sup>-1</sup> mod q<sub>i</sub>; null without special primes.
     */
    private final BasisExtension[] modDownRescale;
    private final long[][] modDownRescaleInv;
    private final long[][] modDownRescaleInvShoup;
    /** Per thread: the d + k limbs of the fused ModDown and rescale's divisor. */
    private final ThreadLocal<LimbView> divisorView;
    /** [level][digit]: the ModUp of each key-switching digit at each level, built with the context (null without P). */
    private final ModUpPlan[][] modUpPlans;
    /** log2(q_0 ... q_l) per level l. */
    private final double[] log2Q;
    /** levelScale[l]: the scale that products at level l rescale exactly into levelScale[l - d]; NaN between levels. */
    private final double[] levelScale;

    /** Builds the context. */
    public CkksContext(CkksParameters params) {
        this.params = params;
        this.basisQ = new RnsBasis(params.dataPrimes());
        boolean special = params.supportsKeySwitching();
        this.basisP = special ? new RnsBasis(params.specialPrimes()) : null;
        this.ringQ = new RnsRing(params.logN(), basisQ);
        this.ringP = special ? new RnsRing(params.logN(), basisP) : null;
        int lq = basisQ.size();
        int kp = special ? basisP.size() : 0;
        pModQ = new long[lq];
        pInvModQ = new long[lq];
        pInvModQShoup = new long[lq];
        for (int i = 0; i < lq; i++) {
            Modulus qi = basisQ.modulus(i);
            long prod = 1;
            for (int m = 0; m < kp; m++) {
                prod = qi.mul(prod, qi.reduce(basisP.modulus(m).value()));
            }
            pModQ[i] = prod; // 1 (the empty product) when k = 0
            pInvModQ[i] = qi.inverse(prod);
            pInvModQShoup[i] = qi.shoup(pInvModQ[i]);
        }
        log2Q = new double[lq];
        double acc = 0;
        for (int l = 0; l < lq; l++) {
            acc += Math.log(basisQ.modulus(l).value()) / Math.log(2);
            log2Q[l] = acc;
        }
        levelScale = new double[lq];
        java.util.Arrays.fill(levelScale, Double.NaN);
        int groups = Math.max(1, params.compositeDegree());
        levelScale[groups - 1] = params.defaultScale();
        for (int l = 2 * groups - 1; l < lq; l += groups) {
            double divisor = 1; // the product of the primes a rescale at level l divides by
            for (int i = l + 1 - groups; i <= l; i++) {
                divisor *= basisQ.modulus(i).value();
            }
            levelScale[l] = Math.sqrt(levelScale[l - groups] * divisor);
        }
        modDown = new BasisExtension[lq];
        for (int l = 0; special && l < lq; l++) {
            modDown[l] = new BasisExtension(basisP, basisQ.prefix(l + 1));
        }
        int d = params.compositeDegree();
        long[] placeholder = new long[params.n()]; // the views' limbs until a call repoints them
        droppedView = ThreadLocal.withInitial(() -> new LimbView(d, placeholder));
        rescaleDown = new BasisExtension[lq];
        rescaleInv = new long[lq][];
        rescaleInvShoup = new long[lq][];
        int dd = Math.max(1, d);
        modDownRescale = new BasisExtension[lq];
        modDownRescaleInv = new long[lq][];
        modDownRescaleInvShoup = new long[lq][];
        for (int l = dd; special && l < lq; l++) {
            int kept = l + 1 - dd;
            long[] divisor = new long[dd + kp];
            for (int m = 0; m < dd; m++) {
                divisor[m] = basisQ.modulus(kept + m).value();
            }
            for (int m = 0; m < kp; m++) {
                divisor[dd + m] = basisP.modulus(m).value();
            }
            modDownRescale[l] = new BasisExtension(new RnsBasis(divisor), basisQ.prefix(kept));
            modDownRescaleInv[l] = inverseModQ(basisQ, kept, divisor);
            modDownRescaleInvShoup[l] = shoup(basisQ, modDownRescaleInv[l]);
        }
        int divisorPrimes = dd + kp;
        divisorView = ThreadLocal.withInitial(() -> new LimbView(divisorPrimes, placeholder));
        for (int l = d; d > 1 && l < lq; l++) {
            int kept = l + 1 - d;
            RnsBasis top = basisQ.sub(kept, l + 1);
            rescaleDown[l] = new BasisExtension(top, basisQ.prefix(kept));
            rescaleInv[l] = inverseModQ(basisQ, kept, top.primes());
            rescaleInvShoup[l] = shoup(basisQ, rescaleInv[l]);
        }
        modUpPlans = special ? new ModUpPlan[lq][] : null;
        for (int l = 0; special && l < lq; l++) {
            modUpPlans[l] = new ModUpPlan[digitCount(l)];
            for (int j = 0; j < modUpPlans[l].length; j++) {
                modUpPlans[l][j] = new ModUpPlan(l, j);
            }
        }
    }

    /** @return D<sup>-1</sup> mod q<sub>i</sub> for i &lt; count, D the product of the {@code divisor} primes */
    private static long[] inverseModQ(RnsBasis basisQ, int count, long[] divisor) {
        long[] inv = new long[count];
        for (int i = 0; i < count; i++) {
            Modulus qi = basisQ.modulus(i);
            long prod = 1;
            for (long v : divisor) {
                prod = qi.mul(prod, qi.reduce(v));
            }
            inv[i] = qi.inverse(prod);
        }
        return inv;
    }

    /** @return the Shoup companions of w[i] modulo q<sub>i</sub> */
    private static long[] shoup(RnsBasis basisQ, long[] w) {
        long[] s = new long[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = basisQ.modulus(i).shoup(w[i]);
        }
        return s;
    }

    /**
     * A polynomial over an array of limbs that each call repoints at the limbs it works on (the dropped primes of a
     * rescale, the divisor of a fused ModDown): one per thread, no allocation per call.
     */
    private static final class LimbView {
        final long[][] limbs;
        final RnsPoly poly;

        LimbView(int count, long[] placeholder) {
            limbs = new long[count][];
            java.util.Arrays.fill(limbs, placeholder); // RnsPoly checks its limbs' length
            poly = new RnsPoly(limbs, false);
        }
    }

    /** @return the parameters */
    public CkksParameters parameters() {
        return params;
    }

    /** @return the ring over the data primes */
    public RnsRing ringQ() {
        return ringQ;
    }

    /**
     * @return the ring over the special primes
     * @throws IllegalStateException if the parameters have no special prime (key switching disabled)
     */
    public RnsRing ringP() {
        if (ringP == null) {
            throw new IllegalStateException("no special-prime ring R_P: " + params
                    + " has no special prime (key switching is disabled)");
        }
        return ringP;
    }

    /** @return the ring degree N */
    public int n() {
        return params.n();
    }

    /** @return log2 of Q<sub>l</sub> = q<sub>0</sub>&hellip;q<sub>l</sub> */
    public double log2Q(int level) {
        return log2Q[level];
    }

    /** @return log2 of P, the product of the special primes (0 when there is none: P = 1) */
    public double log2P() {
        return basisP == null ? 0 : basisP.log2Product();
    }

    /**
     * The scale that keeps a chain of products on the default scale &Delta; (the per-level scales of OpenFHE's
     * FLEXIBLEAUTO): &Delta;<sub>bottom</sub> = &Delta; at the lowest level that holds a scale (level d - 1, d the
     * composite degree) and &Delta;<sub>l</sub> = sqrt(&Delta;<sub>l-d</sub> Q<sub>l</sub>) above, Q<sub>l</sub> the
     * product of the primes a rescale at level l divides by. Then &Delta;<sub>l</sub><sup>2</sup> / Q<sub>l</sub> =
     * &Delta;<sub>l-d</sub> exactly: ciphertexts and plaintexts encoded at level l with this scale multiply and rescale
     * into the next level's scale, however far the primes are from &Delta;, and the bottom level is at &Delta;. With
     * the default scale instead, the log2 scale drifts by 2 e - &delta; per product (e: the current offset, &delta;: the
     * level's distance to &Delta;): x<sup>64</sup> on {@link CkksParameters#general16384Composite()} (pairs up to 0.9
     * bits off 2<sup>40</sup>) ends at 2<sup>32.3</sup> from 2<sup>40</sup>, and at exactly 2<sup>40</sup> from
     * {@code levelScale(maxLevel())}. Cost: O(1), precomputed.
     *
     * @throws IllegalArgumentException at a level that splits a composite group of primes or lies below level d - 1
     */
    public double levelScale(int level) {
        if (level < 0 || level > maxLevel() || Double.isNaN(levelScale[level])) {
            int d = Math.max(1, params.compositeDegree());
            throw new IllegalArgumentException("no level scale at level " + level + ": levels " + (d - 1) + ", "
                    + (2 * d - 1) + ", ... " + maxLevel() + " hold one (composite degree " + d + ")");
        }
        return levelScale[level];
    }

    /** @return the highest level L */
    public int maxLevel() {
        return params.maxLevel();
    }

    long[] pModQ() {
        return pModQ;
    }

    long[] pInvModQ() {
        return pInvModQ;
    }

    long[] pInvModQShoup() {
        return pInvModQShoup;
    }

    BasisExtension modDown(int level) {
        return modDown[level];
    }

    /**
     * ModDown: out = round((xQ - [x]_P) / P) modulo Q<sub>l</sub>, for x given by its residues xQ (NTT, l + 1 limbs)
     * and xP (NTT; transformed to coefficient form in place). {@code conv} is scratch with l + 1 limbs. The P-part
     * is centred before the conversion, so the division rounds to nearest.
     */
    void modDown(RnsPoly xQ, RnsPoly xP, RnsPoly out, RnsPoly conv) {
        modDown(xQ, xP, null, out, conv);
    }

    /**
     * {@link #modDown(RnsPoly, RnsPoly, RnsPoly, RnsPoly)} with its result added to {@code addend} in the same pass:
     * out = addend + round(x / P) (addend null: no addition; out may be addend), as a relinearization adds the key
     * switch's output to c<sub>0</sub> and c<sub>1</sub>. Saves a pass over the limbs per part.
     */
    void modDown(RnsPoly xQ, RnsPoly xP, RnsPoly addend, RnsPoly out, RnsPoly conv) {
        int k = xQ.limbCount();
        ringP().intt(xP);
        divideAndRound(xQ, xP, modDown[k - 1], pInvModQ, pInvModQShoup, addend, out, conv, true);
    }

    /**
     * The composite rescale of one polynomial x at level l (NTT form, l + 1 limbs): out = round(x / (q_(l-d+1) ...
     * q_l)) modulo q_0..q_(l-d), the ModDown formula with the last d primes in the role of P. The last d limbs of
     * x are transformed to coefficient form in place (they are dropped); {@code out} may be x's view of its first
     * l + 1 - d limbs. Cost: d inverse and l + 1 - d forward NTTs, an exact conversion from d primes.
     */
    void rescaleComposite(RnsPoly x, RnsPoly out, RnsPoly conv) {
        int l = x.limbCount() - 1;
        int d = params.compositeDegree();
        if (d < 2 || l < d) {
            throw new IllegalArgumentException("composite rescale of " + (l + 1) + " primes by d = " + d);
        }
        // a per-thread view of the last d limbs (repointed here: no allocation per rescale)
        LimbView view = droppedView.get();
        RnsPoly dropped = view.poly;
        long[][] limbs = view.limbs;
        for (int m = 0; m < d; m++) {
            int i = l + 1 - d + m;
            limbs[m] = x.limb(i);
            if (x.isNtt()) {
                ringQ.kernel(i).inverse(limbs[m], ringQ.tables(i));
            }
        }
        dropped.setNtt(false);
        divideAndRound(x, dropped, rescaleDown[l], rescaleInv[l], rescaleInvShoup[l], null, out, conv, x.isNtt());
    }

    /**
     * The fused ModDown and rescale of key switching followed by a rescale: out = round(x / (P q<sub>l-d+1</sub>
     * &middot;&middot;&middot; q<sub>l</sub>)) modulo q<sub>0</sub>..q<sub>l-d</sub> for x given by xQ (NTT, l + 1 limbs) and xP
     * (NTT), one division by the product instead of {@link #modDown} (by P) and then {@link #rescaleComposite} or the
     * plain rescale (by the last d primes; d = 1 without composite scaling): one rounding, and the l + 1 - d forward
     * NTTs and the conversion of the intermediate result are never made. The top d limbs of xQ and xP are turned into
     * coefficient form in place (they are dropped); {@code out} may be xQ's view of its first l + 1 - d limbs;
     * {@code conv} is scratch with at least l + 1 - d limbs. Cost: d + k inverse and l + 1 - d forward NTTs and one
     * exact conversion from the d + k primes of the divisor; the two steps take as many inverse NTTs, but 2l + 2 - d
     * forward ones and two conversions.
     *
     * @throws IllegalArgumentException if the level is below d
     */
    void modDownAndRescale(RnsPoly xQ, RnsPoly xP, RnsPoly out, RnsPoly conv) {
        int l = xQ.limbCount() - 1;
        if (l >= modDownRescale.length || modDownRescale[l] == null) {
            throw new IllegalArgumentException("fused ModDown and rescale at level " + l + ": needs special primes and a "
                    + "level of at least " + Math.max(1, params.compositeDegree()));
        }
        int dd = Math.max(1, params.compositeDegree());
        int kept = l + 1 - dd;
        ringP().intt(xP);
        LimbView view = divisorView.get();
        RnsPoly divisor = view.poly;
        long[][] limbs = view.limbs;
        for (int m = 0; m < dd; m++) {
            int i = kept + m;
            ringQ.kernel(i).inverse(xQ.limb(i), ringQ.tables(i));
            limbs[m] = xQ.limb(i);
        }
        for (int m = 0; m < xP.limbCount(); m++) {
            limbs[dd + m] = xP.limb(m);
        }
        divisor.setNtt(false);
        divideAndRound(xQ, divisor, modDownRescale[l], modDownRescaleInv[l], modDownRescaleInvShoup[l], null, out,
                conv.limbCount() == kept ? conv : conv.view(kept), true);
    }

    /**
     * out = (x - [x]_D) &middot; D<sup>-1</sup> modulo the first out.limbCount() primes of Q, for a divisor D given by
     * the residues of x modulo its primes ({@code xD}, coefficient form, centred by the exact conversion so the
     * division rounds to nearest); {@code inv[i]} = D<sup>-1</sup> mod q_i.
     */
    private void divideAndRound(RnsPoly x, RnsPoly xD, BasisExtension ext, long[] inv, long[] invShoup, RnsPoly addend,
                                RnsPoly out, RnsPoly conv, boolean ntt) {
        int k = out.limbCount();
        if (addend != null && (addend.isNtt() != ntt || addend.limbCount() < k)) {
            throw new IllegalArgumentException("addend " + addend.limbCount() + " limbs, NTT " + addend.isNtt()
                    + ": needs " + k + " limbs, NTT " + ntt);
        }
        if (ntt) {
            ext.convertExactForNtt(xD, conv); // the NTT below reduces what the conversion leaves in [0, 3q)
        } else {
            ext.convertExact(xD, conv);
        }
        for (int i = 0; i < k; i++) {
            if (ntt) {
                ringQ.kernel(i).forward(conv.limb(i), ringQ.tables(i));
            }
            Modulus q = ringQ.modulus(i);
            long qv = q.value();
            long[] a = x.limb(i);
            long[] c = conv.limb(i);
            long[] z = out.limb(i);
            long[] y = addend == null ? null : addend.limb(i);
            PointwiseKernel fast = ModArith.fast();
            if (fast != null && q.bits() <= 30) {
                if (y == null) {
                    fast.subMulScalar(a, c, inv[i], z, q); // (x - c) D^-1 mod q_i, SIMD
                } else {
                    fast.subMulScalarAdd(a, c, inv[i], y, z, q); // y + (x - c) D^-1 mod q_i
                }
                continue;
            }
            for (int j = 0; j < a.length; j++) {
                long diff = a[j] - c[j];
                if (diff < 0) {
                    diff += qv;
                }
                long r = q.mulShoup(diff, inv[i], invShoup[i]);
                z[j] = y == null ? r : q.add(r, y[j]);
            }
        }
        out.setNtt(ntt);
    }

    /**
     * Whether a key switch with {@code digits} digits accumulates its key products lazily: unreduced 64-bit sums of
     * at most {@code RnsRing.lazyTerms()} products, every prime of Q and P below 2<sup>31</sup>. Keys of such contexts
     * are stored in 32 bits ({@link KeySwitchKey#isCompact()}). False without special primes.
     */
    boolean lazyKeySwitching(int digits) {
        return ringP != null && digits <= Math.min(ringQ.lazyTerms(), ringP.lazyTerms());
    }

    /**
     * @return the number of key-switching digits at a level: those holding a prime of Q<sub>l</sub> (ceil((level + 1) /
     *         &alpha;) for uniform digits), 0 without special primes
     */
    int digitCount(int level) {
        int d = 0;
        while (d < params.digitCount() && params.digitStart(d) <= level) {
            d++;
        }
        return d;
    }

    /** The ModUp of digit j at a level: its primes, and the extension to every other prime of Q_l and P. */
    ModUpPlan modUp(int level, int digit) {
        ringP(); // no special prime: no key switching
        return modUpPlans[level][digit];
    }

    /**
     * Basis extension of one key-switching digit: source primes [start, end) of Q<sub>l</sub>; targets are the
     * other primes of Q<sub>l</sub> (indices in {@link #targetQ}) followed by all special primes.
     */
    final class ModUpPlan {
        final int start;
        final int end;
        final int[] targetQ;
        final BasisExtension extension;

        ModUpPlan(int level, int digit) {
            start = params.digitStart(digit);
            end = Math.min(params.digitEnd(digit), level + 1);
            if (start > level) {
                throw new IllegalArgumentException("digit " + digit + " is empty at level " + level);
            }
            targetQ = new int[level + 1 - (end - start)];
            long[] targets = new long[targetQ.length + basisP.size()];
            int t = 0;
            for (int i = 0; i <= level; i++) {
                if (i < start || i >= end) {
                    targetQ[t] = i;
                    targets[t++] = basisQ.modulus(i).value();
                }
            }
            for (int m = 0; m < basisP.size(); m++) {
                targets[t++] = basisP.modulus(m).value();
            }
            extension = new BasisExtension(basisQ.sub(start, end), new RnsBasis(targets));
        }
    }
}
