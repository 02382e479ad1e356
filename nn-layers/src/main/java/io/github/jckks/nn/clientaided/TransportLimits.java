package io.github.jckks.nn.clientaided;

import java.time.Duration;

/**
 * Bounds a transport enforces on what it receives.
 *
 * @param maxFrameBytes  largest frame payload accepted (the 4-byte length prefix is checked before anything is
 *                       allocated); larger frames end the session
 * @param maxCiphertexts most ciphertexts (or items) one message may declare
 * @param readTimeout    every read must deliver data within this time, and a whole frame must arrive within it
 *                       once its first byte has; also bounds the wait for the next message
 */
public record TransportLimits(int maxFrameBytes, int maxCiphertexts, Duration readTimeout) {
    /** Validates. */
    public TransportLimits {
        if (maxFrameBytes < MessageCodec.HEADER_BYTES) {
            throw new IllegalArgumentException("max frame bytes " + maxFrameBytes + " below the header size");
        }
        if (maxCiphertexts < 1) {
            throw new IllegalArgumentException("max ciphertexts " + maxCiphertexts + " < 1");
        }
        if (readTimeout == null || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("read timeout must be positive, got " + readTimeout);
        }
    }

    /** @return 512 MiB frames, 65536 ciphertexts, 120 s */
    public static TransportLimits defaults() {
        return new TransportLimits(512 << 20, 65536, Duration.ofSeconds(120));
    }

    /** @return a copy with another timeout */
    public TransportLimits withReadTimeout(Duration timeout) {
        return new TransportLimits(maxFrameBytes, maxCiphertexts, timeout);
    }

    /** @return a copy with another frame bound */
    public TransportLimits withMaxFrameBytes(int bytes) {
        return new TransportLimits(bytes, maxCiphertexts, readTimeout);
    }

    /** @return a copy with another count bound */
    public TransportLimits withMaxCiphertexts(int count) {
        return new TransportLimits(maxFrameBytes, count, readTimeout);
    }
}
