// symgrad: symbolic gradients for machine-learning losses.
// Copyright (C) 2026 the symgrad authors. GPL-2.0-or-later (see COPYING).
//
// The baseline of evaluator_bench: the gradient of an 8-16-16-3 sigmoid MLP with biases and
// softmax + cross-entropy, written by hand the way one writes it in C++, a block of samples at a
// time, layer by layer. evaluator_bench compiles this file at run time with the same compiler
// flags as the native backend (so the comparison is flag for flag) and loads it.
//
// Weights in symgrad's model order: W1 (8x16, row-major), b1, W2 (16x16), b2, W3 (16x3), b3.
// Samples: x row-major (8 per sample), y the class index 0..2 as a double.
// out[0] = sum of the losses, out[1 + i] = sum of d loss / d weight i.
#include <algorithm>
#include <cmath>
#include <cstddef>

namespace {

constexpr std::size_t I = 8, H1 = 16, H2 = 16, K = 3, B = 64;
constexpr std::size_t weight_count = I * H1 + H1 + H1 * H2 + H2 + H2 * K + K;

inline double sigmoid(double z) {
    return 1.0 / (1.0 + std::exp(-z));
}

struct layers {
    const double *W1, *b1, *W2, *b2, *W3, *b3;
    explicit layers(const double* w)
        : W1(w), b1(W1 + I * H1), W2(b1 + H1), b2(W2 + H1 * H2), W3(b2 + H2), b3(W3 + H2 * K) {}
};

/// Forward pass of one block: o1, o2, logits z; returns the block's summed loss and leaves
/// dz = softmax(z) - onehot(y).
double forward(const layers& L, const double* xs, const double* ys, std::size_t m, double (*o1)[H1],
               double (*o2)[H2], double (*dz)[K]) {
    for (std::size_t s = 0; s < m; ++s) {
        for (std::size_t j = 0; j < H1; ++j)
            o1[s][j] = L.b1[j];
        for (std::size_t i = 0; i < I; ++i)
            for (std::size_t j = 0; j < H1; ++j)
                o1[s][j] += xs[s * I + i] * L.W1[i * H1 + j];
    }
    for (std::size_t s = 0; s < m; ++s)
        for (std::size_t j = 0; j < H1; ++j)
            o1[s][j] = sigmoid(o1[s][j]);
    for (std::size_t s = 0; s < m; ++s) {
        for (std::size_t j = 0; j < H2; ++j)
            o2[s][j] = L.b2[j];
        for (std::size_t i = 0; i < H1; ++i)
            for (std::size_t j = 0; j < H2; ++j)
                o2[s][j] += o1[s][i] * L.W2[i * H2 + j];
    }
    for (std::size_t s = 0; s < m; ++s)
        for (std::size_t j = 0; j < H2; ++j)
            o2[s][j] = sigmoid(o2[s][j]);
    double loss = 0;
    for (std::size_t s = 0; s < m; ++s) {
        double z[K];
        for (std::size_t k = 0; k < K; ++k)
            z[k] = L.b3[k];
        for (std::size_t i = 0; i < H2; ++i)
            for (std::size_t k = 0; k < K; ++k)
                z[k] += o2[s][i] * L.W3[i * K + k];
        double top = z[0];
        for (std::size_t k = 1; k < K; ++k)
            top = std::max(top, z[k]);
        double e[K], total = 0;
        for (std::size_t k = 0; k < K; ++k) {
            e[k] = std::exp(z[k] - top);
            total += e[k];
        }
        const auto label = static_cast<std::size_t>(ys[s]);
        loss += top + std::log(total) - z[label];
        for (std::size_t k = 0; k < K; ++k)
            dz[s][k] = e[k] / total - (k == label ? 1.0 : 0.0);
    }
    return loss;
}

} // namespace

extern "C" void mlp_handwritten_gradient(const double* w, const double* x, const double* y,
                                         std::size_t n, double* out) {
    const layers L(w);
    double* gW1 = out + 1;
    double* gb1 = gW1 + I * H1;
    double* gW2 = gb1 + H1;
    double* gb2 = gW2 + H1 * H2;
    double* gW3 = gb2 + H2;
    double* gb3 = gW3 + H2 * K;
    std::fill(out, out + 1 + weight_count, 0.0);
    double loss = 0;
    alignas(64) double o1[B][H1], o2[B][H2], dz[B][K], d1[B][H1], d2[B][H2];
    for (std::size_t s0 = 0; s0 < n; s0 += B) {
        const std::size_t m = std::min(B, n - s0);
        const double* xs = x + s0 * I;
        loss += forward(L, xs, y + s0, m, o1, o2, dz);
        for (std::size_t s = 0; s < m; ++s) {
            for (std::size_t k = 0; k < K; ++k)
                gb3[k] += dz[s][k];
            for (std::size_t i = 0; i < H2; ++i)
                for (std::size_t k = 0; k < K; ++k)
                    gW3[i * K + k] += o2[s][i] * dz[s][k];
            for (std::size_t i = 0; i < H2; ++i) {
                double a = 0;
                for (std::size_t k = 0; k < K; ++k)
                    a += L.W3[i * K + k] * dz[s][k];
                d2[s][i] = a * o2[s][i] * (1 - o2[s][i]);
            }
        }
        for (std::size_t s = 0; s < m; ++s) {
            for (std::size_t j = 0; j < H2; ++j)
                gb2[j] += d2[s][j];
            for (std::size_t i = 0; i < H1; ++i)
                for (std::size_t j = 0; j < H2; ++j)
                    gW2[i * H2 + j] += o1[s][i] * d2[s][j];
            for (std::size_t i = 0; i < H1; ++i) {
                double a = 0;
                for (std::size_t j = 0; j < H2; ++j)
                    a += L.W2[i * H2 + j] * d2[s][j];
                d1[s][i] = a * o1[s][i] * (1 - o1[s][i]);
            }
        }
        for (std::size_t s = 0; s < m; ++s) {
            for (std::size_t j = 0; j < H1; ++j)
                gb1[j] += d1[s][j];
            for (std::size_t i = 0; i < I; ++i)
                for (std::size_t j = 0; j < H1; ++j)
                    gW1[i * H1 + j] += xs[s * I + i] * d1[s][j];
        }
    }
    out[0] = loss;
}

extern "C" double mlp_handwritten_loss(const double* w, const double* x, const double* y,
                                       std::size_t n) {
    const layers L(w);
    double loss = 0;
    alignas(64) double o1[B][H1], o2[B][H2], dz[B][K];
    for (std::size_t s0 = 0; s0 < n; s0 += B) {
        const std::size_t m = std::min(B, n - s0);
        loss += forward(L, x + s0 * I, y + s0, m, o1, o2, dz);
    }
    return loss;
}
