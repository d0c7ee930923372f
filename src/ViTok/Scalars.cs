using System.Collections.Concurrent;

namespace ViTok;

/// <summary>Rooted TorchSharp <see cref="Scalar"/>s for constants. A <see cref="Scalar"/> owns a native
/// <c>c10::Scalar</c> and frees it in its finalizer; TorchSharp passes the raw handle to native code without
/// <c>GC.KeepAlive</c>, so a temporary Scalar (<c>x * 0.5</c>, <c>x.mul(0.5)</c>, <c>a + b</c>'s hidden
/// <c>alpha = 1</c>) can be finalized by a garbage collection while libtorch still reads it. The Scalars here live in
/// static fields or a static cache: GC roots, never finalized. For a value that changes at run time (learning rate,
/// a schedule), use an explicit lifetime instead: <c>using var s = value.ToScalar();</c>. The project test
/// <c>ScalarLifetimeRuleTests</c> fails on any other form.</summary>
public static class Scalars
{
    private static readonly ConcurrentDictionary<long, Scalar> Integers = new();
    private static readonly ConcurrentDictionary<long, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<int, Scalar> Singles = new();
    private static readonly Scalar True = true;
    private static readonly Scalar False = false;

    /// <summary>The integer 1 (what TorchSharp's <c>add(Tensor)</c> passes as <c>alpha</c>).</summary>
    public static readonly Scalar One = 1;

    /// <summary>The cached Scalar of an integer constant (an <c>int64</c> Scalar, as TorchSharp's implicit
    /// conversion of an <c>int</c> or <c>long</c> makes).</summary>
    public static Scalar Of(long value) => Integers.GetOrAdd(value, static v => v.ToScalar());

    /// <summary>The cached Scalar of a <c>double</c> constant (keyed by its bits, so -0.0 and NaN are their own).
    /// Only for values from code or a config (a bounded set): every distinct value stays cached.</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(BitConverter.DoubleToInt64Bits(value), static b => BitConverter.Int64BitsToDouble(b).ToScalar());

    /// <summary>The Scalar of a <c>bool</c>.</summary>
    public static Scalar Of(bool value) => value ? True : False;

    /// <summary>The cached Scalar of a <c>float</c> constant (a float32 Scalar, as TorchSharp's implicit conversion
    /// of a <c>float</c> makes).</summary>
    public static Scalar Of(float value) => Singles.GetOrAdd(BitConverter.SingleToInt32Bits(value), static b => BitConverter.Int32BitsToSingle(b).ToScalar());
}
