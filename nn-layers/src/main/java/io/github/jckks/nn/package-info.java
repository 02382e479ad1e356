/**
 * Neural-network layers on encrypted tensors with <b>batch-axis packing</b>: a tensor of E elements over a batch
 * of B images is E ciphertexts, and slot i of ciphertext e holds element e of image i (B up to N/2, or N with
 * complex packing). Every weight is then a scalar shared by the batch, so layers need no rotations and
 * weights are scalar-encoded (one residue per prime).
 *
 * <p>What the package owns:
 * <ul>
 *   <li>the tensors: {@link io.github.jckks.nn.Tensor} (a plaintext batch in NCHW order) and
 *       {@link io.github.jckks.nn.EncryptedTensor} (its batch-axis packing, real or complex, held with 64-bit or
 *       compact 32-bit limbs);</li>
 *   <li>{@link io.github.jckks.nn.Layer} and its encrypted/plaintext implementations:
 *       {@link io.github.jckks.nn.LinearLayer} (dense, Conv2D with stride, padding and groups),
 *       {@link io.github.jckks.nn.SquareActivation}, {@link io.github.jckks.nn.PolynomialActivation},
 *       {@link io.github.jckks.nn.Pad}, {@link io.github.jckks.nn.Relinearize}, and the blocks of branches
 *       {@link io.github.jckks.nn.ResidualBlock} and {@link io.github.jckks.nn.Concat};</li>
 *   <li>{@link io.github.jckks.nn.Sequential} with the level plan: lazy rescaling, lazy relinearization,
 *       no rescale before decryption, depth report;</li>
 *   <li>the multiply-accumulate kernels ({@link io.github.jckks.nn.MacKernel}: scalar and Vector API, chosen by
 *       {@link io.github.jckks.nn.MacKernels});</li>
 *   <li>{@link io.github.jckks.nn.EncryptedRuntime}: evaluator, kernel and thread pool of a run;</li>
 *   <li>the masked client-aided activations (ReLU, ReLU6, MaxPool) in {@code io.github.jckks.nn.clientaided}.</li>
 * </ul>
 */
package io.github.jckks.nn;
