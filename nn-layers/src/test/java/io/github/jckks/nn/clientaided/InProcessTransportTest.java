package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.CkksEncoder;
import io.github.jckks.ckks.CkksParameters;
import io.github.jckks.ckks.Encryptor;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The three ways {@link InProcessTransport} hands a message over: by reference, deep copy, wire encoding. */
class InProcessTransportTest {
    private static final CkksContext CTX = new CkksContext(CkksParameters.builder().logN(10).dataPrimeBits(30, 25)
            .specialPrimeBits(30).scale(0x1p25).insecureForTestsOnly().build());

    private static Message message() {
        Encryptor e = new Encryptor(CTX, new KeyGenerator(CTX).secretKey());
        Ciphertext c = e.encrypt(new CkksEncoder(CTX).encode(new double[] {1.5, -2}, 1, 0x1p25));
        return Message.ciphertexts(MessageKind.INFER, 5, new Ciphertext[] {c});
    }

    @Test
    void byReferenceCopyAndEncodingDeliverTheSameCiphertext() {
        Message m = message();
        byte[] sent = Serialization.write(CTX, m.ciphertexts()[0]);
        InProcessTransport[] ref = InProcessTransport.pairByReference(Duration.ofSeconds(5));
        ref[0].send(m);
        assertSame(m, ref[1].receive(), "by reference: the very message");
        InProcessTransport[] copy = InProcessTransport.pair(Duration.ofSeconds(5));
        copy[0].send(m);
        Message c = copy[1].receive();
        assertNotSame(m.ciphertexts()[0], c.ciphertexts()[0], "deep copy: fresh ciphertexts");
        assertArrayEquals(sent, Serialization.write(CTX, c.ciphertexts()[0]));
        InProcessTransport[] wire = InProcessTransport.pair(CTX, TransportLimits.defaults());
        wire[0].send(m);
        assertArrayEquals(sent, Serialization.write(CTX, wire[1].receive().ciphertexts()[0]), "through the wire format");
        // what a sender may reuse once a send returns (Transport.copiesMessages): not what the peer holds by reference
        assertFalse(ref[0].copiesMessages(), "by reference");
        assertTrue(copy[0].copiesMessages() && wire[0].copiesMessages(), "deep copy, wire format");
        // the end that decodes the wire format parses into the pool it is given
        io.github.jckks.math.LimbPool limbs = new io.github.jckks.math.LimbPool(CTX.n(), 8);
        long[] dirty = new long[CTX.n()];
        Arrays.fill(dirty, -7);
        limbs.release(dirty);
        wire[1].receiveInto(limbs);
        wire[0].send(m);
        Message pooled = wire[1].receive();
        assertSame(dirty, pooled.ciphertexts()[0].part(0).limb(0), "parsed into the pool's array");
        assertArrayEquals(sent, Serialization.write(CTX, pooled.ciphertexts()[0]));
    }

    @Test
    void closingEndsThePeersReceiveAndSend() {
        InProcessTransport[] ref = InProcessTransport.pairByReference(Duration.ofSeconds(5));
        ref[0].close();
        assertThrows(ConnectionLostException.class, ref[1]::receive);
        assertThrows(ConnectionLostException.class, () -> ref[1].send(Message.bye()));
        InProcessTransport[] quiet = InProcessTransport.pairByReference(Duration.ofMillis(50));
        assertThrows(ConnectionLostException.class, quiet[1]::receive, "time-out");
    }
}
