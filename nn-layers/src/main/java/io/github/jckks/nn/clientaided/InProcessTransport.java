package io.github.jckks.nn.clientaided;

import io.github.jckks.ckks.Ciphertext;
import io.github.jckks.ckks.CkksContext;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two connected in-memory endpoints ({@link #pair}). A message is deep-copied or, if a context is given, encoded
 * and decoded with {@link MessageCodec} (the TCP format, without the socket), so the two sides never share
 * mutable ciphertexts; or, for a one-process run where the wire is not what is measured, handed over by
 * reference ({@link #pairByReference}: no copy, no encoding; the sender must not touch a message's ciphertexts
 * after sending it). Receives wait at most the limits' read time-out. Thread-safe.
 */
public final class InProcessTransport implements Transport {
    private static final Object CLOSED = new Object();
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final String name;
    private final CkksContext context;
    private final TransportLimits limits;
    private final boolean byReference;
    /** Where decoded ciphertexts take their limb arrays ({@link #receiveInto}); null: fresh arrays. */
    private volatile io.github.jckks.math.LimbPool receiveLimbs;
    private InProcessTransport peer;
    private volatile boolean closed;
    private volatile boolean peerClosed;

    private InProcessTransport(String name, CkksContext context, TransportLimits limits, boolean byReference) {
        this.name = name;
        this.context = context;
        this.limits = limits;
        this.byReference = byReference;
    }

    /**
     * @param context null to deep-copy messages, or the context to pass them through the wire encoding
     * @param limits  read time-out and bounds (frame and count bounds apply only when encoding)
     * @return {client end, server end}
     */
    public static InProcessTransport[] pair(CkksContext context, TransportLimits limits) {
        return pair(context, limits, false);
    }

    /**
     * @param timeout bound on every receive
     * @return {client end, server end}, handing messages over by reference (see the class comment)
     */
    public static InProcessTransport[] pairByReference(Duration timeout) {
        return pair(null, TransportLimits.defaults().withReadTimeout(timeout), true);
    }

    private static InProcessTransport[] pair(CkksContext context, TransportLimits limits, boolean byReference) {
        InProcessTransport a = new InProcessTransport("in-process server", context, limits, byReference);
        InProcessTransport b = new InProcessTransport("in-process client", context, limits, byReference);
        a.peer = b;
        b.peer = a;
        return new InProcessTransport[] {a, b};
    }

    /** @return a pair with deep copies and the given time-out */
    public static InProcessTransport[] pair(Duration timeout) {
        return pair(null, TransportLimits.defaults().withReadTimeout(timeout));
    }

    /** Received ciphertexts take their arrays from {@code limbs} when this end decodes the wire format; else ignored. */
    @Override
    public void receiveInto(io.github.jckks.math.LimbPool limbs) {
        receiveLimbs = limbs == null || context == null ? limbs : limbs.requireDegree(context.n());
    }

    /** @return true unless the pair hands messages over by reference ({@link #pairByReference}) */
    @Override
    public boolean copiesMessages() {
        return !byReference;
    }

    @Override
    public void send(Message m) {
        if (closed) {
            throw new ClientAidedException("transport to " + name + " is closed");
        }
        if (peerClosed || peer.closed) {
            throw new ConnectionLostException(name + " disconnected");
        }
        Object copy;
        if (byReference) {
            copy = m;
        } else if (context != null) {
            byte[] payload = MessageCodec.encode(context, m);
            if (payload.length > limits.maxFrameBytes()) {
                throw new ClientAidedException("outgoing " + m + " of " + payload.length + " bytes exceeds the maximum frame of "
                        + limits.maxFrameBytes() + " bytes");
            }
            copy = payload;
        } else {
            Ciphertext[] c = new Ciphertext[m.ciphertexts().length];
            for (int i = 0; i < c.length; i++) {
                c[i] = m.ciphertexts()[i].copy();
            }
            byte[][] items = new byte[m.items().length][];
            for (int i = 0; i < items.length; i++) {
                items[i] = m.items()[i].clone();
            }
            copy = new Message(m.kind(), m.requestId(), m.op(), c, items);
        }
        peer.inbox.add(copy);
    }

    @Override
    public Message receive() {
        return receive(limits.maxCiphertexts());
    }

    /** {@inheritDoc} In wire mode a message with more ciphertexts is refused before they are parsed. */
    @Override
    public Message receive(int maxCiphertexts) {
        if (closed) {
            throw new ClientAidedException("transport to " + name + " is closed");
        }
        Object o;
        try {
            o = inbox.poll(limits.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientAidedException("interrupted while waiting for " + name, e);
        }
        if (o == null) {
            throw new ConnectionLostException("timed out: no message from " + name + " within "
                    + limits.readTimeout().toMillis() + " ms");
        }
        if (o == CLOSED) {
            peerClosed = true;
            throw new ConnectionLostException(name + " disconnected");
        }
        if (o instanceof byte[] payload) {
            return MessageCodec.decode(context, payload, Math.max(1, Math.min(maxCiphertexts, limits.maxCiphertexts())), null,
                    receiveLimbs);
        }
        return (Message) o;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            peer.inbox.add(CLOSED);
        }
    }

    @Override
    public String peer() {
        return name;
    }
}
