using System.Runtime.InteropServices;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// The effect's 16×16 menu icon (Resources/icon.png, made by make-icon.py beside it): a photo's sky turning
/// from blue to sunset orange under one brush stroke.
/// </summary>
static class EffectIcon
{
    internal const string ResourceName = "NeuralPhotoEdit.Plugin.icon.png";

    /// <summary>The icon's PNG bytes.</summary>
    internal static byte[] Png()
    {
        using var stream = typeof(EffectIcon).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"The plugin was built without its icon ({ResourceName}).");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The icon as Paint.NET takes it; none outside Windows, where System.Drawing has no GDI+ (the
    /// test host), and none rather than a failure to load the effect.</summary>
    internal static System.Drawing.Image? Load()
    {
        if (!OperatingSystem.IsWindowsVersionAtLeast(6, 1)) return null;
        try
        {
            return new System.Drawing.Bitmap(new MemoryStream(Png()));
        }
        catch (Exception e) when (e is ArgumentException or ExternalException or InvalidOperationException)
        {
            return null;
        }
    }
}
