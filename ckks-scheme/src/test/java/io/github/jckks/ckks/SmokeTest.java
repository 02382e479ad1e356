package io.github.jckks.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void endToEnd() {
        CkksParameters p = CkksParameters.builder().logN(10).dataPrimeBits(50, 40, 40).specialPrimeBits(51)
                .scale(0x1p40).insecureForTestsOnly().build();
        CkksContext ctx = new CkksContext(p);
        KeyGenerator kg = new KeyGenerator(ctx);
        CkksEncoder enc = new CkksEncoder(ctx);
        Random r = new Random(1);
        double[] x = new double[p.slots()];
        double[] y = new double[p.slots()];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble() * 2 - 1;
            y[i] = r.nextDouble() * 2 - 1;
        }
        Plaintext px = enc.encode(x);
        double[] back = enc.decode(px);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], back[i], 1e-9, "encode/decode slot " + i);
        }
        Encryptor e = new Encryptor(ctx, kg.publicKey());
        Decryptor d = new Decryptor(ctx, kg.secretKey());
        Ciphertext cx = e.encrypt(px);
        Ciphertext cy = new Encryptor(ctx, kg.secretKey()).encrypt(enc.encode(y));
        double[] dx = enc.decode(d.decrypt(cx));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], dx[i], 1e-6, "decrypt slot " + i);
        }
        EvaluationKeys ek = kg.evaluationKeys(true, true, 1, -3);
        Evaluator ev = new Evaluator(ctx, ek);
        Ciphertext prod = ev.multiplyRelin(cx, cy);
        ev.rescaleInPlace(prod);
        double[] dp = enc.decode(d.decrypt(prod));
        double maxErr = 0;
        for (int i = 0; i < x.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(x[i] * y[i] - dp[i]));
        }
        assertTrue(maxErr < 1e-6, "mul+relin+rescale max error " + maxErr);
        Ciphertext rot = ev.rotate(cx, 1);
        double[] dr = enc.decode(d.decrypt(rot));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[(i + 1) % x.length], dr[i], 1e-6, "rotate slot " + i);
        }
        Ciphertext rot3 = ev.rotate(cx, -3);
        double[] dr3 = enc.decode(d.decrypt(rot3));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[Math.floorMod(i - 3, x.length)], dr3[i], 1e-6, "rotate -3 slot " + i);
        }
        Ciphertext cs = ev.multiplyScalar(cx, 0.37);
        ev.rescaleInPlace(cs);
        double[] ds = enc.decode(d.decrypt(cs));
        for (int i = 0; i < x.length; i++) {
            assertEquals(0.37 * x[i], ds[i], 1e-6, "scalar slot " + i);
        }
        // complex packing
        Plaintext pa = enc.encodeComplexPacked(x, y, p.maxLevel(), p.defaultScale());
        Plaintext pb = enc.encodeComplexPacked(y, x, p.maxLevel(), p.defaultScale());
        Ciphertext ca = e.encrypt(pa);
        Ciphertext cb = e.encrypt(pb);
        Ciphertext cp = ev.multiplyComplexPacked(ca, cb);
        ev.rescaleInPlace(cp);
        double[][] dc = enc.decodeComplex(d.decrypt(cp));
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i] * y[i], dc[0][i], 1e-5, "complex packed re " + i);
            assertEquals(y[i] * x[i], dc[1][i], 1e-5, "complex packed im " + i);
        }
    }
}
