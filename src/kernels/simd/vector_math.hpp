// Vector math of the kernels: exp on non-positive arguments, the stable logistic pieces and
// log(1 + e) on [0, 1]. Each function states its lanes, error and valid range; the bounds the
// kernels promise are in include/simdlr/kernels.hpp and enforced by the tests on every ISA.
// A part of the vectorized kernel body, not a header of its own: ../simd_body.hpp includes it
// inside its unnamed namespace (internal linkage), after the parts it uses.
#ifndef SIMDLR_INSIDE_SIMD_BODY
#error "a part of the kernel body: include src/kernels/simd_body.hpp, not this file"
#endif

// exp_nonpositive(x) = e^x.
//   Lanes: every lane of V<T, A>, float and double.
//   Max error: the polynomial's truncation is < 0.1 ULP; the kernels built on it state and test
//     their own bounds (sigmoid ≤ 3 ULP, each log-loss term within 4 ULP, softmax in kernels.hpp).
//   Valid range: x ≤ 0, also −inf → 0 and NaN → NaN (x > 0 is outside the contract). Below
//     x = −708.73 (double) / −87.68 (float), i.e. −(emin + ½) ln 2, the result is 0; between that
//     and the log of the smallest normal number it is p · 2^emin with p < 1, rounded to a
//     subnormal.
//   Method: no division. x = n ln2 + r with |r| ≤ ln2 / 2 (Cody–Waite, ln2 split in two), e^r by
//     its Taylor polynomial (degree 13 for double, 7 for float) in Horner form, times 2^n built
//     from the exponent bits; n stops at the smallest normal exponent.
//   Speed: lanes below the limit (−inf: the padding of the softmax kernels) are computed at 0 and
//     then replaced by 0. Computed at the limit, as before, their product p · 2^emin was a
//     subnormal number, and every subnormal result costs a microcode assist of about a hundred
//     cycles: in softmax rows of 10 classes (8 + 2 lanes, 6 padded) that was most of the time.
template <class T, class A>
inline V<T, A> exp_nonpositive(V<T, A> x) {
  using B = V<T, A>;
  if constexpr (std::is_same_v<T, double>) {
    using I = xsimd::batch<std::int64_t, A>;
    const B lo(-708.73), shifter(6755399441055744.0);  // 1.5 · 2^52
    const B xc = xsimd::select(x < lo, B(0.0), x);     // see "Speed" above
    const B t = xc * B(1.4426950408889634) + shifter;
    const B n = t - shifter;
    B r = madd(n, B(-6.93147180369123816490e-01), xc);
    r = madd(n, B(-1.90821492927058770002e-10), r);
    constexpr double inv[14] = {1.0,
                                1.0,
                                1.0 / 2.0,
                                1.0 / 6.0,
                                1.0 / 24.0,
                                1.0 / 120.0,
                                1.0 / 720.0,
                                1.0 / 5040.0,
                                1.0 / 40320.0,
                                1.0 / 362880.0,
                                1.0 / 3628800.0,
                                1.0 / 39916800.0,
                                1.0 / 479001600.0,
                                1.0 / 6227020800.0};  // 1 / i!
    B p(inv[13]);
#pragma GCC unroll 16
    for (int i = 12; i >= 0; --i)
      p = madd(p, r, B(inv[i]));
    const I bits =
        (xsimd::bitwise_cast<I>(t) - I(std::int64_t(0x4338000000000000)) + I(std::int64_t(1023)))
        << 52;
    return xsimd::select(x < lo, B(0.0), p * xsimd::bitwise_cast<B>(bits));
  } else {
    using I = xsimd::batch<std::int32_t, A>;
    const B lo(-87.68f), shifter(12582912.0f);  // 1.5 · 2^23
    const B xc = xsimd::select(x < lo, B(0.0f), x);
    const B t = xc * B(1.44269504f) + shifter;
    const B n = t - shifter;
    B r = madd(n, B(-0.693359375f), xc);
    r = madd(n, B(2.12194440e-4f), r);
    constexpr float inv[8] = {1.0f,         1.0f,          1.0f / 2.0f,   1.0f / 6.0f,
                              1.0f / 24.0f, 1.0f / 120.0f, 1.0f / 720.0f, 1.0f / 5040.0f};
    B p(inv[7]);
#pragma GCC unroll 8
    for (int i = 6; i >= 0; --i)
      p = madd(p, r, B(inv[i]));
    const I bits = (xsimd::bitwise_cast<I>(t) - I(std::int32_t(0x4B400000)) + I(127)) << 23;
    return xsimd::select(x < lo, B(0.0f), p * xsimd::bitwise_cast<B>(bits));
  }
}

// The stable logistic pieces of a batch of logits: e = e^(−|z|) and p = σ(z).
template <class T, class A>
struct LogisticParts {
  V<T, A> e, p;
};

// exp_neg_abs(z) = e^(−|z|), by exp_nonpositive.
//   Lanes: every lane, float and double.
//   Max error: as exp_nonpositive, wherever the result is a normal number.
//   Valid range: every z; ±inf → 0, NaN → NaN; 0 (or a subnormal) once |z| passes the limits of
//     exp_nonpositive.
template <class T, class A>
inline V<T, A> exp_neg_abs(V<T, A> z) {
  return exp_nonpositive<T, A>(-xsimd::abs(z));
}

// logistic_parts(z) = {e, p}: e = e^(−|z|), p = σ(z) = select(z ≥ 0, 1, e) / (1 + e).
//   Lanes: every lane, float and double.
//   Max error: p ≤ 3 ULP wherever σ(z) is at least the smallest normal number of T (z ≥ −87.3
//     for float, z ≥ −708.3 for double); below that p is in [0, smallest normal] (the sigmoid
//     contract of kernels.hpp).
//   Valid range: every z; σ(±0) = 0.5, σ(+inf) = 1, σ(−inf) = 0, σ(NaN) = NaN. Never overflows.
template <class T, class A>
inline LogisticParts<T, A> logistic_parts(V<T, A> z) {
  using B = V<T, A>;
  const B e = exp_neg_abs<T, A>(z);
  const B p = xsimd::select(z >= B(T(0)), B(T(1)), e) / (B(T(1)) + e);
  return {e, p};
}

// log1p_unit(e) = log(1 + e).
//   Lanes: every lane, float and double.
//   Max error: about 3 ε relative.
//   Valid range: e ∈ [0, 1]; NaN stays NaN.
//   Method: one division and a short polynomial instead of xsimd's general log1p (about 120
//     instructions per register; bench/README.md, "Measurements quoted in the kernel sources"):
//   s = e / (2 + e)                    for e ≤ √2 − 1,
//   s = (e − 1) / (e + 3), plus ln 2   above (log(1 + e) = ln 2 + log((1 + e) / 2)),
// so |s| ≤ 0.1716 and log(1 + e) = 2 atanh(s) = 2 s Σ_i s^2i / (2i + 1). The series is cut where
// s^2 ≤ 0.0295 makes the next term smaller than 2^-54 (double, i ≤ 9) or 2^-25 (float, i ≤ 4).
// e − 1 is exact for e ≥ 1/2 (Sterbenz) and off by at most 2^-54 below; ln 2 is added as a high
// and a low part.
template <class T, class A>
inline V<T, A> log1p_unit(V<T, A> e) {
  using B = V<T, A>;
  constexpr bool is_double = std::is_same_v<T, double>;
  constexpr int terms = is_double ? 10 : 5;
  const auto above = e > B(T(0.41421356237309503));
  const B s = xsimd::select(above, e - B(T(1)), e) / (e + xsimd::select(above, B(T(3)), B(T(2))));
  const B s2 = s * s;
  B poly(T(1) / T(2 * terms - 1));
#pragma GCC unroll 16
  for (int i = terms - 2; i >= 0; --i)
    poly = madd(poly, s2, B(T(1) / T(2 * i + 1)));
  const T ln2_hi = is_double ? T(0.6931471805599453) : T(0.693147182f);
  const T ln2_lo = is_double ? T(2.3190468138462996e-17) : T(-1.90465421e-09f);
  const B two_s = s + s;
  const B zero(T(0));
  return xsimd::select(above, B(ln2_hi), zero) +
         madd(two_s, poly, xsimd::select(above, B(ln2_lo), zero));
}

// log_loss_term(z, y, e) = softplus(z) − y z = log1p(e) + (z ≥ 0 ? (1 − y) z : −y z), given
// e = e^(−|z|).
//   Lanes: every lane, float and double.
//   Max error: within 4 ULP for y ∈ {0, 1} (the log_loss contract of kernels.hpp), plus the
//     flush of terms below the smallest normal number to 0 that exp_nonpositive causes.
//   Valid range: finite z, y ∈ [0, 1]; never negative, inf or NaN there.
template <class T, class A>
inline V<T, A> log_loss_term(V<T, A> z, V<T, A> y, V<T, A> e) {
  using B = V<T, A>;
  const B linear = xsimd::select(z >= B(T(0)), (B(T(1)) - y) * z, -(y * z));
  return log1p_unit<T, A>(e) + linear;
}
