using System.Collections.Concurrent;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralPhotoEdit;

/// <summary>
/// Numbers for tensor operations, as TorchSharp scalars that live as long as the process.
/// <para>
/// Why: TorchSharp 0.107 turns a plain number in a tensor operation (<c>x * 2</c>, <c>1 - x</c>,
/// <c>leaky_relu(x, 0.2)</c>) into a native scalar that only a finalizer frees, and that object is
/// unreachable as soon as its handle has been read. A garbage collection started by another thread
/// at that moment lets the finalizer free the scalar while libtorch is still reading it: seen here
/// as "Unknown scalar type" in a training step while other tests ran in parallel, and possible in
/// any multi-threaded host such as Paint.NET. Scalars from here are cached and never freed, so model
/// and editor code passes them instead of numbers. The cache holds the constants of the code plus
/// the values of a few settings (objective weights, the adversarial warm-up ramp, step sizes): at
/// most a few thousand entries of a few dozen bytes.
/// </para>
/// </summary>
public static class Scalars
{
    static readonly ConcurrentDictionary<double, Scalar> Cache = new();

    public static Scalar Of(double value) => Cache.GetOrAdd(value, v => v.ToScalar());

    public static Scalar One { get; } = Of(1);
    public static Scalar Two { get; } = Of(2);
}

/// <summary>
/// Tensor arithmetic with numbers that doesn't make a finalizable scalar, so formulas read like the
/// paper: <c>m.OneMinus()</c> for 1 − M, <c>x.Times(3)</c> for 3·x. TorchSharp 0.107's <c>a + b</c>
/// calls <c>add(b, 1)</c> and <c>x.square()</c> calls <c>pow(2)</c>; each plain number becomes a
/// native scalar that a collection on another thread can free mid-call (seen: "Expected false to be
/// true … toFloat" in the decoder, and a failure in the stroke loss's square, under forced
/// collections). These pass cached scalars (<see cref="Scalars"/>) instead. <c>a - b</c>,
/// <c>a * b</c> and <c>a / b</c> of two tensors involve no scalar and stay as they are.
/// </summary>
public static class TensorArithmetic
{
    /// <summary>a + b.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, Scalars.One);

    /// <summary>x + c.</summary>
    public static Tensor Plus(this Tensor x, double c) => x.add(Scalars.Of(c), Scalars.One);

    /// <summary>x − c.</summary>
    public static Tensor Minus(this Tensor x, double c) => x.add(Scalars.Of(-c), Scalars.One);

    /// <summary>c − x.</summary>
    public static Tensor SubtractedFrom(this Tensor x, double c) => x.neg().add(Scalars.Of(c), Scalars.One);

    /// <summary>1 − x.</summary>
    public static Tensor OneMinus(this Tensor x) => x.SubtractedFrom(1);

    /// <summary>c·x.</summary>
    public static Tensor Times(this Tensor x, double c) => x.mul(Scalars.Of(c));

    /// <summary>x / c.</summary>
    public static Tensor DividedBy(this Tensor x, double c) => x.div(Scalars.Of(c));

    /// <summary>x², element-wise.</summary>
    public static Tensor Squared(this Tensor x) => x.pow(Scalars.Two);

    /// <summary>max(x, c), element-wise.</summary>
    public static Tensor AtLeast(this Tensor x, double c) => x.clamp_min(Scalars.Of(c));

    /// <summary>min(x, c), element-wise.</summary>
    public static Tensor AtMost(this Tensor x, double c) => x.clamp_max(Scalars.Of(c));

    /// <summary>x += y, in place.</summary>
    public static Tensor AddInPlace(this Tensor x, Tensor y) => x.add_(y, Scalars.One);
}
