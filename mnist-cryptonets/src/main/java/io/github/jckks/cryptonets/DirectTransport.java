package io.github.jckks.cryptonets;

import io.github.jckks.nn.clientaided.ClientAidedException;
import io.github.jckks.nn.clientaided.ConnectionLostException;
import io.github.jckks.nn.clientaided.Message;
import io.github.jckks.nn.clientaided.Transport;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two connected in-memory endpoints that hand messages over by reference: no copy, no encoding. For the
 * one-process mode, where the client and the server are in one JVM and the wire is not what is measured.
 * The sender must not touch a message's ciphertexts after sending it (the client and the server never do:
 * they send fresh ciphertexts and drop them). Receives wait at most the time-out. Thread-safe.
 */
final class DirectTransport implements Transport {
    private static final Message CLOSED = Message.bye();
    private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
    private final String name;
    private final Duration timeout;
    private DirectTransport peer;
    private volatile boolean closed;

    private DirectTransport(String name, Duration timeout) {
        this.name = name;
        this.timeout = timeout;
    }

    /** @return {client end, server end} */
    static DirectTransport[] pair(Duration timeout) {
        DirectTransport client = new DirectTransport("in-process server", timeout);
        DirectTransport server = new DirectTransport("in-process client", timeout);
        client.peer = server;
        server.peer = client;
        return new DirectTransport[] {client, server};
    }

    @Override
    public void send(Message message) {
        if (closed) {
            throw new ClientAidedException("transport to " + name + " is closed");
        }
        if (peer.closed) {
            throw new ConnectionLostException(name + " disconnected");
        }
        peer.inbox.add(message);
    }

    @Override
    public Message receive() {
        if (closed) {
            throw new ClientAidedException("transport to " + name + " is closed");
        }
        Message m;
        try {
            m = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientAidedException("interrupted while waiting for " + name, e);
        }
        if (m == null) {
            throw new ConnectionLostException("timed out: no message from " + name + " within " + timeout.toMillis() + " ms");
        }
        if (m == CLOSED) {
            throw new ConnectionLostException(name + " disconnected");
        }
        return m;
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
