using System.Runtime.InteropServices;

namespace NeuralPhotoEdit;

/// <summary>
/// Turns libtorch's failures, which TorchSharp surfaces as <see cref="ExternalException"/> with a
/// native stack in the message, into one line a user can act on.
/// </summary>
public static class NativeFailure
{
    const string OutOfMemory = "Not enough memory for this edit: close other programs or work on a smaller image or region.";

    /// <summary>A one-line message for a native failure, or null when <paramref name="error"/> is not one.</summary>
    public static string? Describe(Exception error)
    {
        if (error is OutOfMemoryException)
            return OutOfMemory;
        if (error is not ExternalException native) return null;
        string first = native.Message.Split('\n', 2)[0].Trim();
        if (first.Contains("not enough memory", StringComparison.OrdinalIgnoreCase)
            || first.Contains("alloc", StringComparison.OrdinalIgnoreCase))
            return OutOfMemory;
        if (first.Length > 160) first = first[..160] + "…";
        return $"The neural network runtime (libtorch) failed: {first}";
    }
}
