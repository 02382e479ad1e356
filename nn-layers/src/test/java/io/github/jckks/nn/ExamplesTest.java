package io.github.jckks.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.nn.examples.EncryptedInferenceExample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the nn-layers examples, so they never rot, and checks what they teach. */
class ExamplesTest {

    @Test
    void encryptedInference() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            EncryptedInferenceExample.run(out);
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        for (String line : new String[] {"multiplicative depth: 4", "security 128-bit", "key switching needed: true",
            "+ BatchNorm (folded)", "encrypted 1024 images as 144 ciphertexts", "output [10] per image, level 1"}) {
            assertTrue(s.contains(line), "missing '" + line + "' in:\n" + s);
        }
        Matcher agree = Pattern.compile("agreeing with the plaintext network: (\\d+) of 1024").matcher(s);
        assertTrue(agree.find(), s);
        assertTrue(Integer.parseInt(agree.group(1)) >= 1014, "at least 99% agreement (near ties may flip):\n" + s);
        Matcher err = Pattern.compile("logit error ([0-9.e+-]+)").matcher(s);
        assertTrue(err.find(), s);
        // measured 9.8e-3 on logits of a few units: products of squares at scale 2^24
        assertTrue(Double.parseDouble(err.group(1)) < 0.1, s);
    }
}
