package io.github.jckks.nn.clientaided;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import io.github.jckks.ckks.KeyGenerator;
import io.github.jckks.ckks.Serialization;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The message format: round trips and strict rejection of malformed payloads. */
class MessageCodecTest {
    static final CkksContext CTX = Fixtures.smallContext(2);

    private static Ciphertext[] cts(int n) {
        KeyGenerator kg = new KeyGenerator(CTX);
        ClientAidedClient c = new ClientAidedClient(CTX, kg.secretKey(), kg.publicKey());
        Ciphertext[] out = new Ciphertext[n];
        for (int i = 0; i < n; i++) {
            out[i] = c.encrypt(new double[] {i, -i});
        }
        return out;
    }

    @Test
    void roundTripsEveryKind() {
        Ciphertext[] c = cts(3);
        byte[] p = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATE, 42, c));
        assertEquals(0x4A434341, ByteBuffer.wrap(p).getInt());
        Message m = MessageCodec.decode(CTX, p, 10);
        assertEquals(MessageKind.ACTIVATE, m.kind());
        assertEquals(42, m.requestId());
        assertEquals(Message.OP_RELU, m.op());
        assertEquals(3, m.ciphertexts().length);
        assertArrayEquals(Serialization.write(CTX, c[2]), Serialization.write(CTX, m.ciphertexts()[2]), "seeded form kept");
        Message e = MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.error(7, "nope")), 10);
        assertEquals("nope", e.text());
        assertEquals(MessageKind.BYE, MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.bye()), 10).kind());
        Message h = MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.hello(new byte[] {1, 2})), 10);
        assertArrayEquals(new byte[] {1, 2}, h.items()[0]);
    }

    @Test
    void inferCarriesItsPackingInTheFunctionCode() {
        Ciphertext[] c = cts(1);
        Message complex = MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.infer(5, c, true)), 10);
        assertEquals(MessageKind.INFER, complex.kind());
        assertEquals(Message.OP_COMPLEX_PACKED, complex.op());
        assertEquals(Message.OP_NONE, MessageCodec.decode(CTX, MessageCodec.encode(CTX, Message.infer(6, c, false)), 10).op());
        byte[] relu = MessageCodec.encode(CTX, Message.infer(7, c, false));
        relu[6] = (byte) Message.OP_RELU;
        ClientAidedException ex = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, relu, 10));
        assertTrue(ex.getMessage().contains("function code 1"), ex.getMessage());
        byte[] activate = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.ACTIVATE, 8, c));
        activate[6] = (byte) Message.OP_COMPLEX_PACKED;
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, activate, 10), "complex flag on ACTIVATE");
    }

    @Test
    void rejectsMalformedPayloads() {
        byte[] good = MessageCodec.encode(CTX, Message.ciphertexts(MessageKind.RESULT, 1, cts(2)));
        assertTrue(MessageCodec.decode(CTX, good, 2).ciphertexts().length == 2);
        String[][] cases = {
            {"0", "bad magic"}, {"4", "unsupported protocol version"}, {"5", "unknown message kind"},
            {"6", "function code"}, {"7", "reserved byte"},
        };
        for (String[] cs : cases) {
            byte[] b = good.clone();
            b[Integer.parseInt(cs[0])] ^= 0x40;
            ClientAidedException ex = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, b, 10));
            assertTrue(ex.getMessage().contains(cs[1]), ex.getMessage());
        }
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, good, 1), "count above the limit");
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, Arrays.copyOf(good, 10), 10), "short header");
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, Arrays.copyOf(good, good.length - 1), 10),
                "truncated item");
        ClientAidedException trailing = assertThrows(ClientAidedException.class,
                () -> MessageCodec.decode(CTX, Arrays.copyOf(good, good.length + 3), 10));
        assertTrue(trailing.getMessage().contains("trailing"), trailing.getMessage());
        byte[] zero = good.clone();
        ByteBuffer.wrap(zero).putInt(16, 0);
        assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, zero, 10), "a ciphertext message with none");
        byte[] otherParams = MessageCodec.encode(Fixtures.smallContext(3),
                Message.ciphertexts(MessageKind.RESULT, 1, new Ciphertext[] {new ClientAidedClient(Fixtures.smallContext(3),
                        new KeyGenerator(Fixtures.smallContext(3)).secretKey(), null).encrypt(new double[] {1})}));
        ClientAidedException fp = assertThrows(ClientAidedException.class, () -> MessageCodec.decode(CTX, otherParams, 10));
        assertTrue(fp.getMessage().contains("is invalid"), fp.getMessage());
    }
}
